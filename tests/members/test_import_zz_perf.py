import time
from members import imports
from tests.members.test_import_support import HEADER, member_row

def test_perf(world, manager_x):
    rows = [member_row(f"Firma {i}", f"{48000+i%999:05d}", last=f"N{i}") for i in range(1000)]
    t = time.monotonic()
    plan = imports.plan_import(network=world.network_x, header=HEADER, rows=rows, lines=list(range(2, 1002)), mapping=imports.suggest_mapping(HEADER), existing="add_contact")
    t1 = time.monotonic()
    imports.import_write(plan=plan, network=world.network_x, by=manager_x)
    t2 = time.monotonic()
    print(f"plan {t1-t:.2f}s write {t2-t1:.2f}s", len(plan.errors))
