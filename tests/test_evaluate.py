"""How evaluate pairs an extracted fact with a gold fact."""
from pipeline.evaluate import _overlap


def test_quotes_pair_when_one_contains_the_other():
    assert _overlap("不少于30日", "公示期不少于30日")


def test_quotes_pair_when_their_ends_overlap():
    # annotator and extractor cut the context on different sides of the same fact
    assert _overlap("应于2个工作日内做出是否受理的决定", "收到申请后,应于2个工作日内")
    assert _overlap("收到申请后,应于2个工作日内", "应于2个工作日内做出是否受理的决定")


def test_quotes_that_share_too_little_do_not_pair():
    assert not _overlap("年底前完成", "完成验收")          # 2 characters
    assert not _overlap("不少于30日", "")


def test_a_counter_word_before_a_unit_is_no_part_of_the_quantity():
    from pipeline.evaluate import _quantity

    assert _quantity(4, "个小时") == _quantity(4, "小时")
    assert _quantity(3, "个月") == _quantity(3, "月")
    assert _quantity(1.5, "万元") == _quantity(15000, "元")
    assert _quantity(4, "个") != _quantity(4, "")       # a bare counter stays a unit


def test_a_gold_quote_keeps_the_pages_pinyin_and_still_matches_the_cleaned_text():
    # 補(bǔ)貼: the page's pinyin stays in a verbatim quote; the record's text has it removed
    from pipeline.evaluate import norm

    assert norm("發放一次性生活補(bǔ)貼") == norm("發放一次性生活補貼")
    assert norm("按(一)(二)项执行") != norm("按项执行")


def test_a_range_is_one_quantity_whatever_its_multiplier():
    """处一万元以上十万元以下罚款: [1, 10] 万元 and [10000, 100000] 元 are the same fact."""
    from pipeline.evaluate import score_document

    def record(value, unit):
        th = {"text": "一万元以上十万元以下", "op": "between", "value": value, "unit": unit}
        return {"tasks": [], "unattached": {"thresholds": [th]}, "document": {}}

    gold = {"thresholds": [{"quote": "处一万元以上十万元以下罚款", "op": "between",
                            "value": [10000, 100000], "unit": "元"}]}
    assert score_document(record([1, 10], "万元"), gold)["thresholds"].tp == 1
    assert score_document(record([1, 100], "万元"), gold)["thresholds"].tp == 0


def test_pooled_macro_means_the_first_run_documents_only(tmp_path):
    """tools/pooled_macro.py: the mean per-document F1 over the batches' documents, first and end."""
    import json

    from tools import pooled_macro

    def score(docs):
        return {"documents": {f"more/{n}": {"tasks": {"f1": f}} for n, f in docs.items()}}
    (tmp_path / "a.json").write_text(json.dumps(score({"1_a.txt.yml": 0.5, "2_b.txt.yml": 1.0})))
    (tmp_path / "end.json").write_text(json.dumps(score({"1_a.txt.yml": 0.7, "2_b.txt.yml": 1.0, "3_c.txt.yml": 0.0})))
    first = pooled_macro.per_document([tmp_path / "a.json"])
    end = {k: v for k, v in pooled_macro.per_document([tmp_path / "end.json"]).items() if k in first}
    assert pooled_macro.macro(first, "tasks") == (0.75, 2)
    assert pooled_macro.macro(end, "tasks") == (0.85, 2)


def test_compare_scores_pools_counts_and_documents():
    """tools/compare_scores.py: micro from pooled counts, macro from per-document F1."""
    from tools import compare_scores

    scores = {"documents": {"more/1_a": {"tasks": {"tp": 1, "fp": 0, "fn": 1, "f1": 0.667}},
                            "more/2_b": {"tasks": {"tp": 3, "fp": 1, "fn": 0, "f1": 0.857}}}}
    micro, macro = compare_scores.pooled(scores, ["more/1_a", "more/2_b"], "tasks")
    assert round(micro, 3) == 0.8 and round(macro, 3) == 0.762
