"""`make bench`: run every section, print a table, write bench-results.json.

Every figure is compared with a baseline measured in the same run, never with a fixed time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.benchmarks import (
    autocomplete,
    bot_latency,
    engine_render,
    hostile_load,
    sandbox_render,
    scheduler,
    server_library,
    suggester,
    wizard_crowd,
)


def verdict(ratio: float, target: float) -> str:
    return f"{ratio:.2f} (target <= {target}: {'met' if ratio <= target else 'NOT met'})"


def row(label: str, stats: dict[str, Any], *extra: str) -> str:
    return f"  {label:34} {stats['p50_ms']:>9.3f} {stats['p95_ms']:>9.3f} {stats.get('p99_ms', 0):>9.3f}  " + " ".join(
        extra
    )


def header(title: str) -> None:
    print(f"\n{title}")
    print(f"  {'':34} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9}")


def show_acknowledgement(results: dict[str, Any]) -> None:
    header("1. Acknowledgement latency, one command at a time (each bot in its own process)")
    for label in ("bare discord.py /ping", "Dispute Desk /help"):
        stats = results[label]
        print(row(label, stats, f"ready {stats['start_to_ready_s']:.3f} s,", f"peak RSS {stats['peak_rss_mb']} MiB"))
    print(f"  /help vs bare at the median: {verdict(results['ratio_p50'], results['target_ratio_p50'])}")


def show_crowd(results: dict[str, Any]) -> None:
    desk, bare = results["dispute_desk_wizard"], results["bare_discord_py"]
    header(f"2. {desk['users']} sellers at once: S1 wizard vs a bare bot under the same crowd")
    print(
        row(
            "Dispute Desk, every acknowledgement",
            desk["all_steps"],
            f"({desk['interactions']} interactions,"
            f" {desk['failures']} failed, {desk['total_s']} s, peak RSS {desk['peak_rss_mb']} MiB)",
        )
    )
    print(row("Dispute Desk, until the step shows", desk["step_shown"]))
    for step, stats in desk["per_step"].items():
        print(row(f"  {step}", stats))
    print(
        row(
            "bare discord.py /ping",
            bare["all_steps"],
            f"({bare['interactions']} interactions,"
            f" {bare['failures']} failed, {bare['total_s']} s, peak RSS {bare['peak_rss_mb']} MiB)",
        )
    )
    for label, figures in (("Dispute Desk", desk), ("bare discord.py", bare)):
        print(
            f"  {label}: {figures['interactions_per_s']} interactions/s,"
            f" {figures['requests_per_interaction']} HTTP requests per interaction; {cpu_text(figures)}"
        )
    shown = verdict(results["step_shown_vs_bare_ack_p50"], results["target_step_shown_vs_bare_ack_p50"])
    print(f"  step shown vs bare acknowledgement, median: {shown}")
    speed, speed_target = results["interactions_per_s_vs_bare"], results["target_interactions_per_s_vs_bare"]
    met = "met" if speed >= speed_target else "NOT met"
    print(f"  interactions/s vs bare: {speed:.2f} (target >= {speed_target}: {met})")
    print(
        f"  median acknowledgement vs bare: {verdict(results['ratio_p50'], results['target_ratio_p50'])};"
        f" every acknowledgement within 3 s: {results['every_ack_within_3s']};"
        f" sessions lost or mixed up: {results['sessions_lost_or_mixed']}"
    )


def cpu_text(figures: dict[str, Any]) -> str:
    """CPU per interaction of the bot and of the driver (the fake Discord and the crowd, which share
    the machine's cores with the bot)."""
    cpu = figures["cpu_per_interaction"]
    bot = "unknown (no /proc)" if cpu["bot_ms"] is None else f"{cpu['bot_ms']:.2f} ms"
    return f"CPU per interaction: bot {bot}, driver {cpu['driver_ms']:.2f} ms"


def show_crowd_engines(results: dict[str, Any], bare: dict[str, Any]) -> None:
    header("2b. The same crowd in servers: SQLite and PostgreSQL, one process and two splitting the shards")
    for label, figures in results.items():
        if label == "skipped":
            print(f"  {figures}")
            continue
        print(
            row(
                f"{label}: step shown",
                figures["step_shown"],
                f"({figures['interactions_per_s']} interactions/s, {figures['requests_per_interaction']} requests"
                f" each, {figures['failures']} failed, {figures['sessions_lost_or_mixed']} lost or mixed)",
            )
        )
        shown = figures["step_shown"]["p50_ms"] / bare["all_steps"]["p50_ms"]
        speed = figures["interactions_per_s"] / max(bare["interactions_per_s"], 1e-9)
        print(
            f"    vs the bare bot: step shown {verdict(round(shown, 2), 2.0)};"
            f" interactions/s {speed:.2f} (target >= 0.7: {'met' if speed >= 0.7 else 'NOT met'}); {cpu_text(figures)}"
        )


def show_rendering(engine: dict[str, Any], sandbox: dict[str, Any]) -> None:
    print("\n3. Rendering")
    print(
        f"  all {engine['drafts_per_outcome']} drafts of the S1 outcome: ours {engine['ours_median_ms']:.3f} ms,"
        f" raw Jinja2 {engine['raw_median_ms']:.3f} ms (median);"
        f" ratio {verdict(engine['ratio'], engine['target_ratio'])}"
    )
    for key in ("raw_jinja2", "sandbox_in_process", "sandbox_pool"):
        stats = sandbox[key]
        print(f"  user-template sandbox, {key:20} p50 {stats['median_ms']:.4f} ms, p95 {stats['p95_ms']:.4f} ms")


def show_autocomplete(results: dict[str, Any]) -> None:
    header(f"4. /reply autocomplete over {results['templates']:,} templates ({results['queries']} queries)")
    print(row("search in SQLite", results["search"]))
    if "search_tenth_of_the_file" in results:
        print(row("same seller, a tenth of the templates", results["search_tenth_of_the_file"]))
        print(
            "  search cost vs a file with a tenth of the templates: "
            f"{verdict(results['search_ratio_p50'], results['target_search_ratio'])}"
        )
    if "discord_round_trip" in results:
        print(row("through discord.py and the fake", results["discord_round_trip"]))


def show_server_library(results: dict[str, Any]) -> None:
    header(
        f"8. /reply autocomplete with a server library: {results['server_library']} server + 100 personal + "
        f"built-ins, {results['servers']:,} servers' libraries in the file ({results['queries']} queries)"
    )
    print(row("personal only (outside a server)", results["personal_only"]))
    print(row("with the server's library", results["with_server"]))
    print(f"  with the server vs personal only at the median: {verdict(results['ratio_p50'], results['target_ratio'])}")


def show_hostile(results: dict[str, Any]) -> None:
    header(
        "5. One seller walks S1 while two users send 20 heavy template checks and 30 slow renders"
        f" ({results['rounds']} quiet and loaded runs, alternated)"
    )
    for run in ("quiet", "loaded"):
        print(row(f"{run}: acknowledgements", results[run]["acks"]))
        print(row(f"{run}: step shown", results[run]["steps"]))
    refused = ", ".join(f"{what}: {count}" for what, count in results["loaded"]["hostile"].items())
    print(f"  hostile requests, all runs: {refused}")
    target = results["target_ratio"]
    for key in ("ack_ratio_p50", "ack_ratio_p95", "step_ratio_p50", "step_ratio_p95"):
        print(f"  {key} loaded vs quiet: {verdict(results[key], target)}")
    first, other = (results["loaded"][key] for key in ("first_two_acks", "other_acks"))
    print(
        "  diagnostic: the burst arrives with each loaded run's first two acknowledgements "
        f"({first['n']} of {first['n'] + other['n']}): p50 {first['p50_ms']:.1f} ms, "
        f"max {first['max_ms']:.1f} ms; the other acknowledgements' p95 ratio {results['other_acks_ratio_p95']}"
    )



def show_suggester(results: dict[str, Any], held_out: dict[str, Any], blind: dict[str, Any]) -> None:
    print('\n6. "Draft a reply…" suggestions on labelled buyer messages (accuracy, not time)')
    sets = (
        ("labelled set (tuned on)", results),
        ("second set (partly blind)", held_out),
        ("third set (blind)", blind),
    )
    for label, figures in sets:
        met = "met" if figures["top3"] >= figures["target_top3"] else "NOT met"
        print(
            f"  {label:34} {figures['messages']:>4} messages: top-1 {figures['top1']:.1%}, "
            f"top-3 {figures['top3']:.1%} (target >= {figures['target_top3']:.0%}: {met})"
        )


def show_scheduler(results: dict[str, Any]) -> None:
    small, large = results["small"], results["large"]
    header(
        f"7. Scheduler cost per tick: {large['jobs_waiting']:,} vs {small['jobs_waiting']:,} jobs waiting"
        f" ({small['ticks']} ticks each; a busy tick runs {results['due_per_tick']} due jobs)"
    )
    for figures in (small, large):
        waiting = f"{figures['jobs_waiting']:,} waiting"
        print(row(f"{waiting}: busy tick", figures["busy_tick"], f"{figures['statements_per_busy_tick']} statements"))
        print(row(f"{waiting}: idle tick", figures["idle_tick"], f"{figures['statements_per_idle_tick']} statement"))
    print(f"  claim queries per tick: {small['claim_queries_per_tick']} and {large['claim_queries_per_tick']}")
    print(f"  busy tick, large vs small at the median: {verdict(results['busy_ratio_p50'], results['target_ratio'])}")
    print(f"  idle tick, large vs small at the median: {verdict(results['idle_ratio_p50'], results['target_ratio'])}")


SECTIONS = (
    "acknowledgement", "crowd", "rendering", "autocomplete", "hostile", "suggester", "scheduler", "server_library"
)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__)
    parser.add_argument("--output", type=Path, default=Path("bench-results.json"))
    parser.add_argument("--samples", type=int, default=400, help="commands per single-command latency run")
    parser.add_argument("--users", type=int, default=1000, help="simultaneous sellers in the crowd run")
    parser.add_argument(
        "--sections", default=",".join(SECTIONS), help=f"comma-separated subset of: {', '.join(SECTIONS)}"
    )
    args = parser.parse_args(argv)
    wanted = {name.strip() for name in args.sections.split(",") if name.strip()}

    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "machine": platform.machine(),
    }
    if "acknowledgement" in wanted:
        results["acknowledgement"] = asyncio.run(bot_latency.run(samples=args.samples))
        show_acknowledgement(results["acknowledgement"])
    if "crowd" in wanted:
        results["crowd"] = asyncio.run(wizard_crowd.run(users=args.users))
        show_crowd(results["crowd"])
        results["crowd_engines"] = asyncio.run(wizard_crowd.run_engines(users=args.users))
        show_crowd_engines(results["crowd_engines"], results["crowd"]["bare_discord_py"])
    if "rendering" in wanted:
        results["engine_render"] = engine_render.run()
        results["sandbox_render"] = sandbox_render.run()
        show_rendering(results["engine_render"], results["sandbox_render"])
    if "autocomplete" in wanted:
        results["autocomplete"] = asyncio.run(autocomplete.run())
        show_autocomplete(results["autocomplete"])
    if "hostile" in wanted:
        results["hostile"] = asyncio.run(hostile_load.run())
        show_hostile(results["hostile"])
    if "suggester" in wanted:
        results["suggester"] = suggester.run()
        results["suggester_held_out"] = suggester.run(labelled=suggester.load_labelled(suggester.HELD_OUT))
        results["suggester_blind"] = suggester.run(labelled=suggester.load_labelled(suggester.BLIND))
        show_suggester(results["suggester"], results["suggester_held_out"], results["suggester_blind"])

    if "scheduler" in wanted:
        results["scheduler"] = asyncio.run(scheduler.run())
        show_scheduler(results["scheduler"])

    if "server_library" in wanted:
        results["server_library"] = asyncio.run(server_library.run())
        show_server_library(results["server_library"])

    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nFigures written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
