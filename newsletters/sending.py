"""Sending an Infobrief (the reliability core, QUALITY.md R-1/R-2). Implemented in the next commit; the API is fixed:

send_test(*, infobrief, by) -> None
send_start(*, infobrief, by, when=None) -> int
send_pause(*, infobrief, by) -> None
send_resume(*, infobrief, by) -> None
send_cancel(*, infobrief, by) -> int
retry_failed(*, infobrief, by) -> int
progress(infobrief) -> dict
"""
