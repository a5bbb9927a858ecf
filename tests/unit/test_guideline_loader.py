"""Loading the guideline: a broken file fails at load, naming file, indication and field.

Each test copies the real `config/` into a temporary folder, breaks one thing and
checks the one-line message a pharmacist would read.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from ivig_workflow import settings as app_settings
from ivig_workflow.domain.errors import InputError
from ivig_workflow.loading.guideline import GuidelineFileError, clear_cache, load_guideline

REAL_CONFIG = app_settings.REPO_ROOT / "config"
Data = dict[str, Any]


class _NoAliases(yaml.SafeDumper):
    # Aliases would share one dict between indications and spread a break to all of them.
    def ignore_aliases(self, data: Any) -> bool:
        return True


def copy_config(target: Path) -> Path:
    config = target / "config"
    shutil.copytree(REAL_CONFIG / "guideline", config / "guideline")
    return config


def edit(config: Path, group_file: str, change: Callable[[Data], None]) -> None:
    path = config / "guideline" / group_file
    # A round trip without aliases gives every indication its own copy of shared rules.
    shared = yaml.safe_load(path.read_text(encoding="utf-8"))
    data = yaml.safe_load(yaml.dump(shared, Dumper=_NoAliases))
    change(data)
    path.write_text(yaml.dump(data, Dumper=_NoAliases, allow_unicode=True), encoding="utf-8")


def indication(data: Data, slug: str) -> Data:
    found: Data = next(i for i in data["indications"] if i["slug"] == slug)
    return found


def load_error(config: Path) -> GuidelineFileError:
    with pytest.raises(GuidelineFileError) as caught:
        load_guideline(config)
    return caught.value


def test_the_real_configuration_loads_and_is_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IVIG_CONFIG_DIR", str(REAL_CONFIG))
    guideline = load_guideline()
    assert len(guideline.indications) == 26
    assert load_guideline(REAL_CONFIG) is guideline
    assert load_guideline(REAL_CONFIG / ".." / "config") is guideline


def test_the_default_folder_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = copy_config(tmp_path)
    edit(config, "guideline.yaml", lambda d: d.update(version="centre-local.7"))
    monkeypatch.setenv("IVIG_CONFIG_DIR", str(config))
    assert load_guideline().version == "centre-local.7"


def test_negative_dose_names_file_indication_and_field(tmp_path: Path) -> None:
    config = copy_config(tmp_path)
    edit(
        config,
        "blistering.yaml",
        lambda d: indication(d, "pemphigus-vulgaris")["dose"].update(g_per_kg=-2),
    )
    error = load_error(config)
    assert str(error) == (
        "config/guideline/blistering.yaml: indication 'pemphigus-vulgaris': "
        "dose.g_per_kg: Input should be greater than 0"
    )
    assert isinstance(error, InputError)
    assert (error.file, error.indication, error.field_path) == (
        "config/guideline/blistering.yaml",
        "pemphigus-vulgaris",
        "dose.g_per_kg",
    )


def test_missing_field(tmp_path: Path) -> None:
    config = copy_config(tmp_path)
    edit(config, "vasculitis.yaml", lambda d: indication(d, "churg-strauss").pop("days"))
    assert str(load_error(config)) == (
        "config/guideline/vasculitis.yaml: indication 'churg-strauss': days: Field required"
    )


def test_unknown_key(tmp_path: Path) -> None:
    config = copy_config(tmp_path)
    edit(
        config,
        "toxic-epidermal-necrolysis.yaml",
        lambda d: indication(d, "toxic-epidermal-necrolysis")["long_term"].update(cycles=2),
    )
    assert str(load_error(config)) == (
        "config/guideline/toxic-epidermal-necrolysis.yaml: indication "
        "'toxic-epidermal-necrolysis': long_term.cycles: Extra inputs are not permitted"
    )


def test_nested_field_path_and_rule_across_fields(tmp_path: Path) -> None:
    config = copy_config(tmp_path)

    def break_both(data: Data) -> None:
        line = indication(data, "dermatomyositis")["line"]
        line["second_line_after"][1]["all_of"][0]["outcomes"] = ["cured"]
        indication(data, "polymyositis")["days"]["default"] = 9

    edit(config, "myositis.yaml", break_both)
    error = load_error(config)
    assert error.indication == "dermatomyositis"
    assert error.field_path == "line.second_line_after[1].all_of[0].outcomes[0]"
    assert error.rule.endswith("(and 1 more error)")

    def repair_the_first(data: Data) -> None:
        repaired = indication(data, "inclusion-body-myositis")["line"]
        indication(data, "dermatomyositis")["line"] = repaired

    edit(config, "myositis.yaml", repair_the_first)
    error = load_error(config)
    assert (error.indication, error.field_path) == ("polymyositis", "days")
    assert "min <= default <= max" in error.rule


def test_bad_yaml_names_the_file_and_the_line(tmp_path: Path) -> None:
    config = copy_config(tmp_path)
    path = config / "guideline" / "less-established.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("  - slug: scleromyxoedema", "  - slug: [x")
    )
    message = str(load_error(config))
    assert message.startswith("config/guideline/less-established.yaml: invalid YAML: line ")
    assert "\n" not in message


def test_slug_defined_twice(tmp_path: Path) -> None:
    config = copy_config(tmp_path)
    edit(
        config,
        "myositis.yaml",
        lambda d: indication(d, "polymyositis").update(slug="dermatomyositis"),
    )
    assert str(load_error(config)) == (
        "config/guideline/myositis.yaml: indication 'dermatomyositis': slug: slug defined twice"
    )


def test_slug_defined_in_two_files(tmp_path: Path) -> None:
    config = copy_config(tmp_path)

    def add_a_copy_of_dermatomyositis(data: Data) -> None:
        myositis = yaml.safe_load((config / "guideline" / "myositis.yaml").read_text("utf-8"))
        data["indications"].append(
            {**indication(myositis, "dermatomyositis"), "group": "blistering"}
        )

    edit(config, "blistering.yaml", add_a_copy_of_dermatomyositis)
    error = load_error(config)
    assert (error.file, error.indication, error.rule) == (
        "config/guideline/blistering.yaml",
        "dermatomyositis",
        "slug defined twice",
    )


def test_group_differs_from_the_file(tmp_path: Path) -> None:
    config = copy_config(tmp_path)
    edit(
        config,
        "collagen-vascular.yaml",
        lambda d: indication(d, "scleroderma").update(group="myositis"),
    )
    assert str(load_error(config)) == (
        "config/guideline/collagen-vascular.yaml: indication 'scleroderma': group: "
        "group 'myositis' differs from the file's group 'collagen-vascular'"
    )


def test_listed_group_file_missing(tmp_path: Path) -> None:
    config = copy_config(tmp_path)
    (config / "guideline" / "less-established.yaml").unlink()
    error = load_error(config)
    assert error.file == "config/guideline/guideline.yaml"
    assert "less-established.yaml" in str(error)
    assert "does not exist" in error.rule


def test_broken_manifest(tmp_path: Path) -> None:
    config = copy_config(tmp_path)
    edit(config, "guideline.yaml", lambda d: d.pop("version"))
    assert str(load_error(config)) == "config/guideline/guideline.yaml: version: Field required"


def test_a_fixed_file_loads_after_the_cache_is_cleared(tmp_path: Path) -> None:
    config = copy_config(tmp_path)
    before = load_guideline(config)
    edit(config, "guideline.yaml", lambda d: d.update(version="edf-eadv-2011.2"))
    assert load_guideline(config) is before
    clear_cache()
    assert load_guideline(config).version == "edf-eadv-2011.2"


NUMBERS = [
    ("dose", "g_per_kg"),
    ("dose", "min_g_per_kg"),
    ("days", "min"),
    ("days", "max"),
    ("interval", "initial_weeks"),
    ("interval", "max_weeks"),
]
GROUPS = {
    path.name: [i["slug"] for i in yaml.safe_load(path.read_text("utf-8"))["indications"]]
    for path in sorted((REAL_CONFIG / "guideline").glob("*.yaml"))
    if path.name != "guideline.yaml"
}


# Each example copies the configuration: shrinking would take minutes, so report as found.
@settings(max_examples=30, deadline=None, phases=[Phase.generate])
@given(
    group_file=st.sampled_from(sorted(GROUPS)),
    pick=st.integers(min_value=0, max_value=100),
    field=st.sampled_from(NUMBERS),
    value=st.one_of(st.integers(max_value=0), st.floats(max_value=0, allow_nan=False)),
)
def test_any_non_positive_number_is_refused_where_it_stands(
    group_file: str, pick: int, field: tuple[str, str], value: float
) -> None:
    slug = GROUPS[group_file][pick % len(GROUPS[group_file])]
    rule, name = field
    with tempfile.TemporaryDirectory() as folder:
        config = copy_config(Path(folder))
        edit(config, group_file, lambda d: indication(d, slug)[rule].update({name: value}))
        error = load_error(config)
    assert error.file == f"config/guideline/{group_file}"
    assert error.indication == slug
    assert error.field_path == f"{rule}.{name}"
    assert "\n" not in str(error)
    if isinstance(value, int):
        assert "greater than" in error.rule
