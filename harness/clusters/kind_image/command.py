"""`promotion-conformance kind-image build|status`: the offline kind node image and task images."""
from __future__ import annotations

import argparse
import json
import sys

from harness.clusters.choice import docker_info_answers
from harness.clusters.kind_image import node, say, task_images
from harness.clusters.kind_image.docker import ImageBuildError, image_exists
from harness.clusters.kind_image.ingredients import image_tag, ingredients


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="promotion-conformance kind-image", description=__doc__.splitlines()[0])
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("build", help="build the offline node image and the task images unless built (needs Docker, root, Go)")
    actions.add_parser("status", help="the offline node image's tag, whether it is built, and what goes into it")
    args = parser.parse_args(argv)
    if args.action == "status":
        made_of = ingredients()
        tag = image_tag(made_of)
        engine = docker_info_answers()
        built = ("built" if image_exists(tag) else "not built") if engine else f"unknown: no Docker engine ({engine.detail})"
        print(f"{tag}: {built}")
        print(json.dumps(made_of, indent=2, sort_keys=True))
        return 0
    engine = docker_info_answers()
    if not engine:
        print(f"promotion-conformance kind-image: no Docker engine answers `docker info` ({engine.detail}); "
              "start one with `make docker-engine`", file=sys.stderr)
        return 2
    try:
        print(node.ensure(say))
        for image in task_images.TASK_IMAGES:
            say(f"{image}: {task_images.ensure(image, say, node.log_path())}")
    except ImageBuildError as error:
        print(f"promotion-conformance kind-image: {error}\nlog: {node.log_path()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("promotion-conformance kind-image: interrupted; its containers and intermediate images are removed",
              file=sys.stderr)
        return 130
    return 0
