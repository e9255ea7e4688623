from django.db import migrations


def install(apps, schema_editor):
    from qualification.defaults import install as install_defaults

    install_defaults(apps.get_model("qualification", "CheckTemplate"), apps.get_model("qualification", "CheckArea"), apps.get_model("qualification", "CheckQuestion"))


class Migration(migrations.Migration):
    dependencies = [("qualification", "0001_qualification_network")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
