"""``surge schema``: the JSON Schema of the scenario format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from surge.cli.common import app, console, handle_errors
from surge.fileio import check_output, write_text
from surge.scenario.model import Scenario


def scenario_schema() -> dict:
    schema = Scenario.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Surge scenario, format version 1"
    return schema


@app.command()
@handle_errors
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Print the JSON Schema of the scenario format (version 1).

    Editors use it to complete and check scenario files as you type. Rules that tie
    objects together (references, cycles, list lengths) are beyond JSON Schema: run
    [bold]surge check[/bold] for those.
    """
    text = json.dumps(scenario_schema(), indent=2)
    if output:
        check_output(output)
        write_text(output, text + "\n")
        console.print(f"wrote {output}")
    else:
        print(text)
