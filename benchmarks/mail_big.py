"""Time the e-mail importer on 10 MB mails (median of 3 runs each).

PYTHONPATH=src python benchmarks/mail_big.py
"""

from __future__ import annotations

import statistics
import time
from email import policy
from email.message import EmailMessage

from moderator.ingest.mail import parse_message_bytes

LINE = "Das ist eine sehr lange Zeile ohne Ende und ohne Fragezeichen, immer wieder. "


def _mail(kind: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Viel Text <viel@example.de>"
    msg["Subject"] = f"Großer Test ({kind})"
    msg["Message-ID"] = f"<big-{kind}@example.de>"
    if kind == "plain":
        msg.set_content("Wie groß darf es sein?\n\n" + (LINE * 12 + "\n") * 11_000)
    elif kind == "html":
        html = "<p>Wie groß?</p><p>" + "<b>fett</b> &amp; <i>kursiv</i> " * 300_000 + "</p>"
        msg.set_content(html, subtype="html")
    else:
        msg.set_content("Wie groß darf der Anhang sein?")
        msg.add_attachment(bytes(range(256)) * 40_000, maintype="application", subtype="pdf")
    return msg.as_bytes(policy=policy.SMTP)


def main() -> None:
    for kind in ("plain", "html", "attachment"):
        data = _mail(kind)
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            parse_message_bytes(data, source_name=kind)
            runs.append(time.perf_counter() - start)
        print(f"{kind:10} {len(data) / 1e6:5.1f} MB  median {statistics.median(runs):.2f} s")


if __name__ == "__main__":
    main()
