"""`makemessages` for this project: no fuzzy guesses and no source locations in the catalogues.

A guess by msgmerge ("fuzzy") is wrong more often than right for German → English UI text and hides the
string from the untranslated list; locations (file:line) rewrite hundreds of lines whenever code moves.
So `make messages` changes only the entries whose strings changed, and new strings arrive empty.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
    xgettext_options = [*makemessages.Command.xgettext_options, "--no-location"]

    def handle(self, *args, **options):
        options["no_location"] = True
        options["no_obsolete"] = True  # an old string stays in git history, not as a #~ block in the catalogue
        return super().handle(*args, **options)
