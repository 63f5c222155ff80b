"""The reproduction report's verdicts, labels and wording, on small made-up summaries (no study runs)."""

import pytest

from mtjphys.reproduction._reproduce import write_report
from mtjphys.reproduction._statistics import breaking_point
from mtjphys.reproduction._study import label, LABELS, ReportSection, Study, SuccessCurve
from mtjphys.reproduction._verdict import AGREES, combined, DIFFERS, NOT_COMPARABLE, Verdict, verdict

KEYS = [key for key in LABELS if not key.isalpha()]  # names no sentence uses: "mtj_device", "N40_area1e2"
ENERGY = {"per_window": 8.3e-14, "per_step": 3.3e-12, "task": 2.3e-8, "training": 1.7e-8, "inference": 6e-9,
          "steps": 6800}


def test_a_value_agrees_inside_its_tolerance_and_differs_outside():
    assert verdict(11.06e3, 11.05e3, within=0.01) == Verdict(AGREES, "within 1 %")
    assert verdict(100.0, 114.0, within=0.05) == Verdict(DIFFERS, "within 5 %")
    assert verdict(0.004, 0.0, absolute=0.01).word == AGREES and verdict(0.02, 0.0, absolute=0.01).word == DIFFERS
    assert verdict(0.85, 0.898, sigmas=2, spread=0.01, paper_spread=0.029) == Verdict(AGREES, "within 2 sigma")
    assert verdict(0.76, 0.898, sigmas=2, paper_spread=0.029).word == DIFFERS
    assert verdict(1.0, 0.99, bound="at least", scale=100, unit=" %") == Verdict(AGREES, "at least 99 %")
    assert verdict(0.06, 0.05, bound="at most").word == DIFFERS
    assert verdict(True, True) == Verdict(AGREES, "the same yes or no") and verdict(False, True).word == DIFFERS


def test_counts_agree_when_their_intervals_overlap():
    assert verdict(100, 100, trials=100, paper_trials=100).word == AGREES
    assert verdict(97, 100, trials=100, paper_trials=100).word == AGREES
    assert verdict(80, 100, trials=100, paper_trials=100).word == DIFFERS


def test_a_claim_that_it_works_needs_enough_runs_to_tell():
    assert verdict(10, True, trials=10).word == AGREES
    assert verdict(0, True, trials=10).word == DIFFERS  # Fig. 3's chaos row, full run: 0 of 10 within 5 %
    judged = verdict(0, True, trials=2)  # the quick run's 0 of 2: its interval holds 1/2
    assert judged.word == NOT_COMPARABLE and "too few runs" in judged.tolerance
    assert verdict(2, True, trials=2).word == NOT_COMPARABLE


def test_without_a_paper_value_or_in_a_run_too_small_nothing_is_compared():
    assert verdict(3.3e-12, None) == Verdict(NOT_COMPARABLE, "the paper gives no number")
    quick = verdict(114.0, 114.0, within=0.05, incomparable="the quick run's cells are too coarse")
    assert quick == Verdict(NOT_COMPARABLE, "the quick run's cells are too coarse")
    assert verdict(None, 114.0, within=0.05).word == NOT_COMPARABLE
    assert verdict(float("nan"), 114.0, within=0.05).word == NOT_COMPARABLE
    with pytest.raises(ValueError):
        verdict(1.0, 1.0)  # no tolerance stated
    with pytest.raises(ValueError):
        Verdict("roughly", "within 5 %")


def test_a_row_of_several_claims_differs_if_one_does():
    agree, differ, unknown = verdict(1.0, 1.0, within=0.01), verdict(2.0, 1.0, within=0.01), verdict(1.0, None)
    assert combined(agree, agree) == Verdict(AGREES, "within 1 %")
    assert combined(agree, unknown).word == NOT_COMPARABLE and combined(unknown, differ).word == DIFFERS
    assert combined(agree, unknown).tolerance == "within 1 %; the paper gives no number"


def test_breaking_points_read_as_plain_sentences():
    at_first = breaking_point([0.0, 0.01, 300.0], [0, 0, 0], [2, 2, 2])
    assert at_first.describe("K").startswith("fewer than half succeed already at the first level tried, 0 K")
    unsure = SuccessCurve((0.0, 0.01, 300.0), (2, 0, 0), (2, 2, 2))
    assert unsure.breaking.describe("K") == ("first falls below half success at 0.01 K (too few seeds to be sure at "
                                             "95 %)")
    assert "with these seeds the 95 % intervals overlap" in unsure.compared_with_baseline(" K")
    failing = SuccessCurve((0.0, 0.01), (0, 0), (2, 2))
    assert failing.compared_with_baseline(" K") == "the baseline itself fails, so no level can be surely below it"


def _summaries():
    fig1 = {"resistance_equilibrium": 11050.0, "delta_r_low": 100.0, "delta_r_high": 144.9, "monotonic_on_range": True,
            "extrema_in_window": 8}
    fig2 = {"seeds": 1, "seeds_passed": 1, "seed": 0, "mode": "device", "worst_period_error": 0.001,
            "worst_amplitude_error": 0.013, "energy": ENERGY, "n_mtj": 40}
    fig4 = {"mode": "device", "n_mtj": 40, "noise": 0.05, "seed": 0, "test_correct": 100, "test_windows": 100,
            "energy": ENERGY, "seeds": 1, "sweep_noise": [0.0, 0.5], "accuracy_paper_mean": [1.0, 0.95],
            "accuracy_paper_std": [0.0, 0.0], "accuracy_equal_amplitude_mean": [1.0, 0.62],
            "accuracy_equal_amplitude_std": [0.0, 0.0]}
    return {"fig1_neuron": fig1, "fig2_generation": fig2, "fig4_recognition": fig4}


def _labelled(summary):
    rows = tuple((f"{label(key)}: a figure", "not given", "1.0") for key in LABELS)
    return ReportSection(rows, ", ".join(map(label, LABELS)), (), tuple(verdict(1.0, None) for _ in rows))


def _table(report: str) -> list[list[str]]:
    lines = report.split("| result | paper | measured here | verdict | tolerance |")[1].split("\n\n")[0].splitlines()
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines[2:]]


def test_every_row_of_the_report_states_its_verdict_and_tolerance(tmp_path):
    from mtjphys.studies import registry

    shipped = registry()
    studies = [shipped[name] for name in _summaries()]
    studies.append(Study("labels", "Keys that must not show", "", lambda *a, **k: {}, (), report=_labelled))
    studies.append(Study("plain", "A study with rows and no verdicts", "", lambda *a, **k: {}, (),
                         report=lambda summary: ReportSection((("something", "1", "2"),))))
    summaries = {**_summaries(), "labels": {}, "plain": {}}
    write_report(tmp_path, studies, summaries, {study.name: 1.0 for study in studies}, quick=True, overwrite=False)
    report = (tmp_path / "report.md").read_text()
    table = _table(report)
    assert len(table) == 4 + 2 + 3 + len(LABELS) + 1 and all(len(row) == 5 for row in table)
    assert all(row[3] in (AGREES, DIFFERS, NOT_COMPARABLE) and row[4] for row in table)
    verdicts = {row[0]: (row[3], row[4]) for row in table}
    assert verdicts["R0, resistance at equilibrium"] == (AGREES, "within 1 %")
    assert verdicts["ΔR at 0.8 × 10¹⁰ A/m²"] == (DIFFERS, "within 5 %")  # 100 Ω against 114 Ω
    assert verdicts["ΔR at 1.0 × 10¹⁰ A/m²"] == (AGREES, "within 5 %")
    assert verdicts["Fig. 4: square wave against sine, about 5 % noise, 100 test windows"][0] == AGREES
    assert verdicts["Fig. 2: energy the MTJs dissipate"] == (NOT_COMPARABLE, "the paper gives no number")
    assert verdicts["something"][0] == NOT_COMPARABLE
    words = [row[3] for row in table]
    assert (f"Of {len(table)} results, {words.count(AGREES)} agree with the paper, {words.count(DIFFERS)} differ"
            in report)
    html = (tmp_path / "report.html").read_text()
    assert "<th>verdict</th><th>tolerance</th>" in html and "<td class='differs'>differs</td>" in html


def test_the_report_shows_no_spread_of_one_seed_and_no_internal_key(tmp_path):
    from mtjphys.studies import registry

    shipped = registry()
    studies = [shipped[name] for name in _summaries()]
    studies.append(Study("labels", "Keys that must not show", "", lambda *a, **k: {}, (), report=_labelled))
    write_report(tmp_path, studies, {**_summaries(), "labels": {}}, {study.name: 1.0 for study in studies},
                 quick=True, overwrite=False)
    report = (tmp_path / "report.md").read_text()
    assert "±" not in report.split("## ")[0]  # every number in the table comes from one seed
    assert "1 seed, seed 0" in report and "1 of 1 (seed 0) passes" in report
    assert "1 seeds" not in report and "first 1 " not in report
    for key in KEYS:
        assert key not in report, key
