"""Print the lunar festivals' Gregorian dates for rules/calendar.yml (`festivals:`).

The dates come from JioNLP's lunar calendar (installed by `make bench`, the `bench`
extra); the pipeline itself reads only the YAML, so nothing lunar runs at run time.

    python tools/festivals.py 2000 2040 > /tmp/festivals.yml
"""
from __future__ import annotations

import contextlib
import io
import sys

# name → (lunar month, lunar day)
LUNAR = {"春节": (1, 1), "元宵节": (1, 15), "端午节": (5, 5), "中秋节": (8, 15)}


def main(first: int, last: int) -> None:
    with contextlib.redirect_stdout(io.StringIO()):      # JioNLP prints a banner on import
        import jionlp
    print("festivals:")
    for name, (month, day) in LUNAR.items():
        print(f"  {name}:")
        for year in range(first, last + 1):
            with contextlib.redirect_stdout(io.StringIO()):
                d = jionlp.lunar2solar(year, month, day)
            print(f'    - "{d.date().isoformat()}"')


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
