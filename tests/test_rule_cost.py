"""Every regular expression in every rule file runs in linear-looking time on adversarial
text: long runs of spaces, of one CJK character, of brackets, after the literals the
pattern itself contains. A pattern that backtracks (34 s for a label and 2,000 spaces,
once) is found here, before a batch meets it. The batch itself kills a worker stuck past
--timeout (tests/test_batch_hostile.py), so a slow rule costs one document, not the run.

Each pattern is timed on inputs of n and 4n characters in a child process the test kills
when one call runs too long; growth well above 4x on a measurable time is super-linear.
"""
from __future__ import annotations

import multiprocessing
import re
import time
import warnings
from pathlib import Path


from pipeline.rules import DEFAULT_RULES_DIR, _strip_lines, load_file

SMALL, BIG = 1000, 4000
RUNS = [" ", "\u3000", "\n", "一", "（", "(", "）", "1", "、", ":", "x"]
MEASURABLE = 0.03      # seconds at BIG below which growth is noise
MAX_GROWTH = 9.0       # 4x the input: linear ~4, quadratic ~16
HANG = 2.0             # one call longer than this is a hang whatever the growth

# Patterns measured super-linear when this test was written, by (file, rule); each costs
# at most one document its time limit in a batch. They are not measured here (that alone
# took 15 s): owners, fix the pattern, then delete its line so the test checks it.
KNOWN_SLOW: set[tuple[str, str]] = {
    ("junk.yml", "visit-counter"),                  # cubic: 访问量 then a run of spaces hangs
    ("thresholds.yml", "subject_strip_pattern"),    # quadratic, 1.6 s on 4,000 spaces
    ("thresholds.yml", "range_pattern"),
    ("thresholds.yml", "forward_pattern"),
    ("units.yml", "unit-heading-role"),             # quadratic on a run of newlines
    ("references.yml", "attach_gap_pattern"),
    ("references.yml", "alias_pattern"),
    ("references.yml", "self_after_pattern"),
}


def adversarial(pattern: str, n: int) -> list[str]:
    literals = re.findall(r"[\u4e00-\u9fff]{2,}", pattern)[:2]
    prefixes = [""] + [p for lit in literals for p in (lit, lit + ":", "牵头" + lit + ":")]
    out = []
    for pre in prefixes:
        for r in RUNS:
            out.append(pre + r * n + "x")
            out.append(pre + "x" + r * n + "y")
    return out


def _patterns_in(obj, label: str):
    """(label, pattern) for the keys the rule loader compiles (pattern, *_pattern,
    patterns); the label is the enclosing rule's name, else the key path, which stay
    put when lines move."""
    if isinstance(obj, dict):
        if isinstance(obj.get("name"), str):
            label = obj["name"]
        for k, v in obj.items():
            if not isinstance(k, str):
                continue
            here = label if isinstance(obj.get("name"), str) else (f"{label}.{k}" if label else k)
            if (k == "pattern" or k.endswith("_pattern")) and isinstance(v, str):
                yield here, v
            elif k == "patterns" and isinstance(v, list):
                yield from ((here, p) for p in v if isinstance(p, str))
            else:
                yield from _patterns_in(v, here)
    elif isinstance(obj, list):
        for v in obj:
            yield from _patterns_in(v, label)


def all_patterns(rules_dir: Path = DEFAULT_RULES_DIR) -> list[tuple[str, str, str]]:
    """(file, label, pattern) for every regex in the rule files."""
    found = []
    for path in sorted(rules_dir.glob("*.yml")):
        raw = _strip_lines(load_file(path))
        found += [(path.name, label, p) for label, p in _patterns_in(raw, "")]
    return found


def _time(rx, text: str) -> float:
    t = time.perf_counter()
    for _ in rx.finditer(text):
        pass
    return time.perf_counter() - t


def _measure(conn, patterns, start):
    for i in range(start, len(patterns)):
        rx = re.compile(patterns[i])
        worst = (0.0, 0.0, "")
        for small, big in zip(adversarial(patterns[i], SMALL), adversarial(patterns[i], BIG)):
            conn.send(("start", i))
            t_big = _time(rx, big)
            if t_big <= MEASURABLE:                  # too fast to be a problem or to measure
                continue
            t_small = _time(rx, small)
            if super_linear(t_small, t_big):        # a load spike is not a witness: best of three
                t_small = min(t_small, _time(rx, small), _time(rx, small))
                t_big = min(t_big, _time(rx, big), _time(rx, big))
            if t_big > worst[1]:
                worst = (t_small, t_big, big[:12])
            if super_linear(t_small, t_big):
                break                                # one witness is enough
        conn.send(("done", i, worst))
    conn.send(("end",))


def measure(patterns: list[str]) -> dict[int, tuple[float, float, str]]:
    """Pattern index → (time at SMALL, time at BIG, start of the worst input); a call
    still running after HANG seconds is killed and recorded as (0, inf, '')."""
    ctx = multiprocessing.get_context("fork")
    results: dict[int, tuple[float, float, str]] = {}
    start = 0
    while start < len(patterns):
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_measure, args=(child, patterns, start), daemon=True)
        proc.start()
        child.close()
        current = start
        try:
            while True:
                if not parent.poll(HANG):
                    proc.kill()
                    results[current] = (0.0, float("inf"), "")
                    start = current + 1
                    break
                msg = parent.recv()
                if msg[0] == "start":
                    current = msg[1]
                elif msg[0] == "done":
                    results[msg[1]] = msg[2]
                else:
                    start = len(patterns)
                    break
        finally:
            proc.join(5)
            parent.close()
    return results


def super_linear(t_small: float, t_big: float) -> bool:
    return t_big > HANG or (t_big > MEASURABLE and t_big / max(t_small, 1e-6) > MAX_GROWTH)


def test_detector_catches_the_old_unit_line_pattern():
    """The pattern unit-line had before it was fixed (cubic on a run of spaces) is caught."""
    old = r"^\s*(?P<label>[\u4e00-\u9fff]{2,4}(单位|部门|科室|领导|主体))\s*[:]\s*(?P<units>\S.*?)\s*[。;]?\s*$"
    (t_small, t_big, _), = measure([old]).values()
    assert super_linear(t_small, t_big), (t_small, t_big)


def test_every_rule_pattern_is_linear_on_adversarial_text():
    found = all_patterns()
    assert len(found) > 50
    labels = {(f, r) for f, r, _ in found}
    if not KNOWN_SLOW <= labels:
        warnings.warn(f"KNOWN_SLOW names rules that no longer exist: {sorted(KNOWN_SLOW - labels)}", stacklevel=1)
    found = [x for x in found if (x[0], x[1]) not in KNOWN_SLOW]
    times = measure([p for _, _, p in found])
    slow = {}
    for i, (fname, rule, _) in enumerate(found):
        t_small, t_big, sample = times[i]
        if super_linear(t_small, t_big):
            slow[(fname, rule)] = f"{t_small:.3f} s at {SMALL} chars, {t_big:.3f} s at {BIG} (input {sample!r}…)"
    assert not slow, "super-linear rule patterns:\n" + "\n".join(f"{f} {r}: {v}" for (f, r), v in slow.items())
