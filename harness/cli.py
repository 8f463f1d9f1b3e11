"""`promotion-conformance`: the harness's command line.

Exit codes: 0 success, 1 a failure of what was run, 2 bad usage or configuration (one line saying why).
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys

from harness.clusters import registry, toolchain
from harness.clusters.provider import ProviderError

DEFAULT_CLUSTER = "promotion"

RUN_DESCRIPTION = """\
Run the conformance suite against an implementation on a cluster, and write the reports to
<report-dir>/<date-time>-<pid>/: conformance-report.yaml, junit.xml, cucumber.json, index.html.
It prints one line per scenario as it finishes, and at the end each profile's verdict and every
failed scenario with its reason.

Options come from the defaults below, then an options file (--options), then these flags.

Exit codes: 0 every claimed scenario passed; 1 a scenario failed or could not run; 2 a usage or
configuration error; 128+N stopped by signal N (130 Ctrl-C, 143 SIGTERM), after cleaning up."""


def _default(option: str) -> str:
    """` (default: X)` for a run option, from RunOptions itself (the flags' own default is None, so
    that a flag left out does not override the options file)."""
    from harness.options import RunOptions

    return f" (default: {getattr(RunOptions(), option)})"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="promotion-conformance", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    cluster = commands.add_parser("cluster", help="bring a cluster up or down")
    cluster_commands = cluster.add_subparsers(dest="action", required=True, parser_class=_Parser)
    up = cluster_commands.add_parser("up", help="create a cluster; prints KUBECONFIG=<path> last")
    up.add_argument("--provider", default="auto", choices=("auto", *registry.PROVIDERS))
    up.add_argument("--name", default=DEFAULT_CLUSTER, help=f"the cluster's name (default: {DEFAULT_CLUSTER})")
    up.add_argument("--kubeconfig", help="existing provider: the kubeconfig of the cluster")
    up.add_argument("--context", help="existing provider: the context to use")
    down = cluster_commands.add_parser("down", help="delete a cluster and every process it started")
    down.add_argument("--name", default=DEFAULT_CLUSTER,
                      help=f"the cluster's name, as `cluster list` shows it (default: {DEFAULT_CLUSTER}, the default of `cluster up`)")
    cluster_commands.add_parser("list", help="clusters the harness created")

    run = commands.add_parser("run", help="run the conformance suite against an implementation and write reports",
                              description=RUN_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("--options", metavar="FILE", help="options file (YAML; examples/options.yaml shows every key); flags override it")
    run.add_argument("--provider", choices=("auto", *registry.PROVIDERS), help=f"where the cluster comes from{_default('provider')}")
    run.add_argument("--kubeconfig", help="existing provider: the cluster's kubeconfig")
    run.add_argument("--context", help="existing provider: the kubeconfig context (default: its current context)")
    run.add_argument("--impl", dest="implementation", metavar="ADAPTER",
                     help=f"adapter file, or a built-in adapter's name (reference, keptn){_default('implementation')}")
    run.add_argument("--profile", choices=("core", "extended", "all"), help=f"which profile's scenarios{_default('profile')}")
    run.add_argument("--features", type=lambda v: tuple(f for f in v.split(",") if f), metavar="F,F",
                     help="only these conformance features, comma-separated (default: every one the adapter claims)")
    run.add_argument("--scenarios", type=lambda v: tuple(i for i in v.split(",") if i), metavar="ID,ID",
                     help="only these scenario IDs, comma-separated; an outline's example as `ID[2-listed]` (default: all)")
    run.add_argument("--skip", nargs="+", metavar="ID", help="scenario IDs to skip (default: none)")
    run.add_argument("--report-dir", dest="report_dir", metavar="DIR", help="where the run's folder is made (default: reports/)")
    run.add_argument("--keep-cluster", dest="keep_cluster", action="store_const", const=True,
                     help="keep the cluster at the end and print its KUBECONFIG (default: delete it)")
    run.add_argument("-n", dest="workers", type=int, metavar="N",
                     help="scenarios side by side (pytest-xdist workers) (default: as many as the machine's free cores "
                          "and memory allow, printed at the start with why)")
    run.add_argument("--timeout-scale", dest="timeout_scale", type=float, metavar="X",
                     help=f"multiply every timeout, for a slow machine{_default('timeout_scale')}")
    run.add_argument("--seed", type=int, help="seed of the reliability scenarios' random choices (default: a new one, printed)")
    run.add_argument("--soak", action="store_const", const=True,
                     help="the long kill scenario: 30 versions, 20 kills (default: 6 versions, 5 kills)")
    run.add_argument("--shard", metavar="K/N",
                     help="run only the K-th of N balanced parts of the catalogue, e.g. on the K-th of N CI runners; "
                          "`report merge` makes their reports one (default: everything)")
    run.add_argument("--shard-durations", dest="shard_durations", metavar="FILE",
                     help="a scenarios.json of an earlier run that the shards are balanced by "
                          "(default: harness/shard_durations.json)")

    catalogue = commands.add_parser("list", help="the scenario catalogue: ID, feature, profile, title",
                                    description="The scenario catalogue, one line per run as the reports name it (an "
                                                "outline once per example: `PromotionTasksRunInParallel[2-listed]`).")
    catalogue.add_argument("--profile", choices=("core", "extended", "all"), default="all", help="default: all")
    catalogue.add_argument("--features", type=lambda v: tuple(f for f in v.split(",") if f), default=(), metavar="F,F",
                           help="only these conformance features, comma-separated (default: every one)")
    catalogue.add_argument("--output", "-o", choices=("table", "json", "ids"), default="table",
                           help="table (default), json (one object per run) or ids (one ID a line)")


    coverage = commands.add_parser(
        "coverage", help="every rule of the contract: the scenarios that check it and the mutants that prove it",
        description="Every rule of docs/contract.md: checked by which scenarios (@rule: tags) and proven by which "
                    "mutant of the kill matrix, or unchecked with the reason. Exit codes: 0 every rule is covered "
                    "as the project requires, 1 a rule is not (each named on stderr), 2 bad usage.")
    coverage.add_argument("--output", choices=("text", "json", "markdown"), default="text")
    commands.add_parser("toolchain", help="locate (or build) every pinned binary and say where each comes from")

    # Listed for --help only: main() hands these their arguments before argparse runs.
    for name, (_, summary) in _DELEGATED.items():
        commands.add_parser(name, help=summary, add_help=False)

    report = commands.add_parser("report", help="check or render a conformance report")
    report_commands = report.add_subparsers(dest="action", required=True, parser_class=_Parser)
    report_commands.add_parser("validate", help="check a ConformanceReport file against its schema").add_argument("file")
    report_commands.add_parser("html", help="(re)write index.html of a report folder").add_argument("folder")
    merge = report_commands.add_parser(
        "merge", help="merge the report folders of the N shards of one run into one report folder",
        description="Merge the report folders of `run --shard 1/N` ... `--shard N/N` into one: ConformanceReport, "
                    "scenarios.json, junit.xml, timelines, diagnostics and index.html. Refuses shards of different "
                    "implementations, versions, selections or shard counts, a shard given twice or missing. Exit codes: "
                    "0 merged, 1 the merged report holds a failure or a scenario that could not run, 2 refused.")
    merge.add_argument("folders", nargs="+", metavar="DIR", help="the shards' report folders")
    merge.add_argument("--output", metavar="DIR", help="where the merged folder goes (default: reports/<run-id>)")
    return parser


# Subcommands with parsers of their own; argparse's REMAINDER would reject their leading options.
_DELEGATED = {
    "controller": ("harness.controller.app", "run the reference promotion-phase controller"),
    "crd-compat": ("harness.compat", "is a NEW CRD set backward compatible with OLD?"),
    "bench": ("harness.bench", "benchmark implementations side by side, each on a fresh cluster (figures, never failures)"),
    "docker-engine": ("harness.clusters.docker_engine", "start or stop a Docker engine on a Debian host that has none (root)"),
    "kind-image": ("harness.clusters.kind_image.command", "build the offline kind node image and task images (no registry)"),
    "simulate": ("harness.simulate.command", "run a multi-stage GitOps pipeline (Git, Flux, promotion tasks) on simulated clusters and report"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] and argv[0] in _DELEGATED:
        return importlib.import_module(_DELEGATED[argv[0]][0]).main(argv[1:])
    args = _build_parser().parse_args(argv)
    try:
        if args.command == "cluster":
            return _cluster(args)
        if args.command == "run":
            return _run(args)
        if args.command == "list":
            return _list(args)
        if args.command == "coverage":
            return _coverage(args)
        if args.command == "toolchain":
            for binary, version, where in toolchain.describe():
                print(f"{binary:<24} {version:<9} {where}")
            toolchain.ensure(toolchain.simulated_binaries())
            return 0
        if args.command == "report":
            return _report(args)
    except (ProviderError, toolchain.ToolchainError) as exc:
        print(f"promotion-conformance: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # what it started is removed by then (registry.create_recorded)
        print("promotion-conformance: interrupted", file=sys.stderr)
        return 130
    return 2


def _list(args) -> int:
    from harness.catalogue import as_json, entries, select
    from harness.profiles import FEATURES

    unknown = [f for f in args.features if f not in FEATURES]
    if unknown:
        print(f"promotion-conformance list: error: --features: unknown conformance feature(s) {', '.join(unknown)}; "
              f"known: {', '.join(FEATURES)}", file=sys.stderr)
        return 2
    runs = as_json(select(entries(), args.profile, args.features))
    if args.output == "json":
        print(json.dumps(runs, indent=1))
    for run in runs if args.output != "json" else ():
        print(run["id"] if args.output == "ids" else f"{run['id']:<52} {run['feature']:<30} {run['profile']:<9} {run['title']}")
    return 0


def _coverage(args) -> int:
    from harness import coverage
    from harness.catalogue import entries

    measured = coverage.measure(entries())
    if args.output == "json":
        print(json.dumps(coverage.report_section(measured, ()) | {"figures": coverage.figures(measured)}, indent=1))
    elif args.output == "markdown":
        print("\n".join(coverage.render_markdown(measured)))
    else:
        print(coverage.render_text(measured))
    gaps = coverage.problems(measured)
    for gap in gaps:
        print(f"promotion-conformance coverage: {gap}", file=sys.stderr)
    return 1 if gaps else 0


def _run(args) -> int:
    from harness.options import resolve_options
    from harness.run import run
    from harness.validated_yaml import ConfigError

    flags = {k: v for k, v in vars(args).items() if k not in ("command", "options")}
    if flags.get("skip"):
        flags["skip"] = tuple(flags["skip"])
    try:
        return run(resolve_options(args.options, flags))
    except ConfigError as exc:
        print(f"promotion-conformance: error: {exc}", file=sys.stderr)
        return 2


def _report(args) -> int:
    from harness import report

    if args.action == "validate":
        return report.validate_command(args.file)  # 0 valid, 1 invalid, 2 unreadable
    if args.action == "merge":
        from harness.report.merge import merge_command

        return merge_command(args.folders, args.output)
    try:
        print(f"wrote {report.write_html(args.folder)}")
    except ValueError as exc:  # ReportInvalid, ReportUnreadable, a bad timeline
        print(f"promotion-conformance: {exc}", file=sys.stderr)
        return 1
    return 0


def _cluster(args) -> int:
    from harness import environment

    if args.action == "list":
        for entry in registry.all_records(say=lambda message: print(f"promotion-conformance: {message}", file=sys.stderr)):
            owner = f"owned by process {entry.owner_pid}" if entry.owner_pid else "kept"
            print(f"{entry.name:<24} {entry.provider:<10} {owner}")
        return 0
    if args.action == "down":
        try:
            entry = registry.lookup(args.name)
        except ValueError as error:
            print(f"promotion-conformance: error: {error}", file=sys.stderr)
            return 2
        if entry is None:
            known = ", ".join(e.name for e in registry.all_records(say=lambda _message: None)) or "none"
            print(f"promotion-conformance: error: no cluster named {args.name!r} was created by the harness "
                  f"(clusters it knows: {known}); pass --name", file=sys.stderr)
            return 2
        environment.take_down(registry.make_provider(entry.provider, entry.name),
                              say=lambda message: print(message, file=sys.stderr))
        print(f"cluster {args.name!r} ({entry.provider}) deleted")
        return 0
    # up
    from harness.clusters.choice import choose_provider

    provider_name, reason = choose_provider(args.provider)
    print(reason, file=sys.stderr)
    if provider_name == "existing":
        if not args.kubeconfig:
            print("promotion-conformance: error: --provider existing needs --kubeconfig", file=sys.stderr)
            return 2
        cluster = registry.make_provider("existing", args.name, kubeconfig=args.kubeconfig, context=args.context)
        cluster.create()
    else:  # kept until `cluster down`
        cluster = environment.bring_up(environment.provider(provider_name, args.name), owner_pid=None,
                                       say=lambda message: print(message, file=sys.stderr))
    print(f"KUBECONFIG={cluster.kubeconfig.resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
