from __future__ import annotations

from typing import Any, Literal

import pytest

from airflow_provider_dataops.hocon import Task, registry, validate_config

SRC = "app.conf"


def problems(*tasks: Any, **kwargs: Any) -> list[str]:
    return validate_config({"tasks": list(tasks)}, SRC, **kwargs)[1]


def test_a_valid_config_has_no_problems_and_default_ids() -> None:
    specs, found = validate_config(
        {
            "tasks": [
                {"name": "shell_script", "args": {"script_path": "uname", "script_args": "-a"}},
                {
                    "name": "shell_script",
                    "args": {"script_path": "find", "script_args": ["/tmp", "-name", "*.py"]},
                },
                {"name": "archive", "args": {"input_directory_path": "/a", "target_file_path": "/b.tgz"}},
            ]
        },
        SRC,
    )
    assert found == []
    assert [s.task_id for s in specs] == ["shell_script_0", "shell_script_1", "archive"]


def test_unknown_type() -> None:
    (found,) = problems({"name": "nope", "args": {}})
    assert found.startswith("app.conf: tasks[0] (nope): unknown task type 'nope' (registered: archive,")


def test_missing_mandatory_arg() -> None:
    assert problems({"name": "archive", "args": {"input_directory_path": "/a"}}) == [
        "app.conf: tasks[0] (archive): missing mandatory arg 'target_file_path'"
    ]


def test_unknown_arg() -> None:
    (found,) = problems({"name": "shell_script", "args": {"script_path": "ls", "scritp_args": "-l"}})
    assert found.startswith("app.conf: tasks[0] (shell_script): unknown arg 'scritp_args' (known: ")


def test_wrong_type_where_annotated_but_jinja_strings_fit_anything() -> None:
    base = {"path": "/r/x", "pattern": "*", "root": "/r"}
    assert problems({"name": "delete_older_than", "args": {**base, "days": "thirty"}}) == [
        "app.conf: tasks[0] (delete_older_than): arg 'days' must be int | float, got str 'thirty'"
    ]
    assert (
        problems({"name": "delete_older_than", "args": {**base, "days": "{{ params.retention_days }}"}}) == []
    )
    (found,) = problems({"name": "shell_script", "args": {"script_path": "ls", "script_args": [1, "a"]}})
    assert "arg 'script_args' must be" in found


def test_duplicate_task_id() -> None:
    found = problems(
        {"name": "shell_script", "id": "x", "args": {"script_path": "ls"}},
        {"name": "shell_script", "id": "x", "args": {"script_path": "ls"}},
    )
    assert found == ["app.conf: tasks[1] (x): duplicate task id 'x' (also tasks[0])"]


def test_unknown_depends_on() -> None:
    found = problems(
        {"name": "shell_script", "id": "a", "depends_on": ["ghost"], "args": {"script_path": "ls"}}
    )
    assert found == ["app.conf: tasks[0] (a): depends_on unknown task id 'ghost'"]


def test_cyclic_depends_on() -> None:
    found = problems(
        {"name": "shell_script", "id": "a", "depends_on": ["c"], "args": {"script_path": "ls"}},
        {"name": "shell_script", "id": "b", "depends_on": ["a"], "args": {"script_path": "ls"}},
        {"name": "shell_script", "id": "c", "depends_on": ["b"], "args": {"script_path": "ls"}},
    )
    assert len(found) == 1
    assert found[0].startswith("app.conf: tasks[")
    assert "depends_on cycle" in found[0]
    assert all(x in found[0] for x in "abc")


def test_every_problem_is_reported_at_once() -> None:
    found = problems(
        {"name": "nope"},
        {"name": "archive", "args": {}},
        {"name": "shell_script", "args": {"script_path": "ls", "extra": 1}, "depends_on": ["zzz"]},
        {"name": "copy", "args": {"source_path": "/a", "target_path": "/b"}, "airflow": {"retires": 2}},
        airflow_args={"retries", "pool"},
    )
    assert [f.split(": ")[1] for f in found] == [
        "tasks[0] (nope)",
        "tasks[1] (archive)",
        "tasks[1] (archive)",
        "tasks[2] (shell_script)",
        "tasks[3] (copy)",
        "tasks[2] (shell_script)",
    ]
    assert any("unknown airflow operator argument 'retires'" in f for f in found)


def test_tasks_must_be_a_non_empty_list() -> None:
    assert validate_config({}, SRC)[1] == ["app.conf: 'tasks' must be a non-empty list of tasks"]


def test_unimportable_operator_type_is_a_clear_error(isolated_registry: None) -> None:
    registry.register_operator("ghost_op", "airflow_provider_dataops.operators.ghost.GhostOperator")
    (found,) = problems({"name": "ghost_op", "args": {}})
    assert found.startswith("app.conf: tasks[0] (ghost_op): task type 'ghost_op' needs ")
    assert "cannot be imported" in found


def test_operator_types_are_checked_against_the_operator_signature() -> None:
    assert (
        problems(
            {"name": "parquet_to_snowflake", "args": {"source": "/data/x.parquet", "if_exists": "replace"}}
        )
        == []
    )
    (missing,) = problems({"name": "dlp_inspect", "args": {"project_id": "p"}})
    assert missing == "app.conf: tasks[0] (dlp_inspect): missing mandatory arg 'gcs_uri'"
    (unknown,) = problems({"name": "parquet_to_snowflake", "args": {"source": "/x", "tabel": "T"}})
    assert "unknown arg 'tabel'" in unknown
    assert (
        problems({"name": "stackql_query", "args": {"sql": "SELECT 1", "output_path": "/tmp/x.parquet"}})
        == []
    )
    (no_output,) = problems({"name": "stackql_query", "args": {"sql": "SELECT 1"}})
    assert no_output == "app.conf: tasks[0] (stackql_query): missing mandatory arg 'output_path'"


def test_task_modules_are_imported_and_bad_ones_reported() -> None:
    found = validate_config(
        {"tasks": [{"name": "python", "args": {"python_callable": "os.getcwd"}}]},
        SRC,
        task_modules=["no_such_module_xyz"],
    )[1]
    assert found
    assert found[0].startswith("app.conf: task_modules: ")


def test_a_subclass_registers_by_lower_cased_class_name_or_task_name(isolated_registry: None) -> None:
    class MyStep(Task):
        def run(self, n: int) -> bool:  # type: ignore[override]
            return n > 0

    class Other(Task):
        task_name = "other_name"

        def run(self, **kwargs: Any) -> bool:
            return True

    assert registry.get("mystep") is MyStep
    assert registry.get("other_name") is Other
    assert problems({"name": "MyStep", "args": {"n": 1}}) == []
    assert problems({"name": "other_name", "args": {"anything": 1}}) == []
    assert registry.create("mystep").run(n=1) is True


@pytest.mark.parametrize(
    "bad", [{"id": "a b"}, {"args": []}, {"airflow": 3}, {"depends_on": [1]}, {"color": "red"}]
)
def test_malformed_task_entries(bad: dict[str, Any]) -> None:
    found = problems({"name": "shell_script", **{"args": {"script_path": "ls"}, **bad}})
    assert found
    assert all(f.startswith("app.conf: tasks[0] (") for f in found)


def test_a_cycle_is_reported_even_when_other_tasks_have_problems() -> None:
    found = problems(
        {"name": "nope", "id": "x"},
        {"name": "shell_script", "id": "a", "depends_on": ["b"], "args": {"script_path": "ls"}},
        {"name": "shell_script", "id": "b", "depends_on": ["a", "ghost"], "args": {"script_path": "ls"}},
        {"name": "shell_script", "id": "c", "depends_on": ["c"], "args": {}},
    )
    assert any("unknown task type 'nope'" in f for f in found)
    assert any("depends_on unknown task id 'ghost'" in f for f in found)
    assert any("(c): depends on itself" in f for f in found)
    assert any("(c): missing mandatory arg 'script_path'" in f for f in found)
    (cycle,) = [f for f in found if "depends_on cycle" in f]
    assert cycle.startswith("app.conf: tasks[1] (a): depends_on cycle ")
    assert cycle.split("cycle ")[1] in ("a -> b -> a", "b -> a -> b")


def test_every_separate_cycle_is_reported() -> None:
    tasks = [
        {"name": "shell_script", "id": i, "depends_on": [d], "args": {"script_path": "ls"}}
        for i, d in (("a", "b"), ("b", "a"), ("c", "d"), ("d", "c"))
    ]
    found = problems(*tasks)
    assert len([f for f in found if "depends_on cycle" in f]) == 2, found


def test_annotated_args_accept_their_json_values_and_templates_and_refuse_the_rest(
    isolated_registry: None,
) -> None:
    class Annotated(Task):
        task_name = "annotated_args"

        def run(  # type: ignore[override]
            self,
            text: str | None = None,
            argv: str | list[str] | None = None,
            count: int = 0,
            ratio: float = 0.0,
            flag: bool = False,
            mode: Literal["fast", "safe"] = "safe",
            nested: list[list[int]] | None = None,
            options: dict[str, str] | None = None,
        ) -> bool:
            return True

    def problems(**args: Any) -> list[str]:
        config = {"tasks": [{"name": "annotated_args", "args": args}]}
        return validate_config(config, "c.conf")[1]

    fitting = {
        "text": ["x", "{{ ds }}", None],
        "argv": ["a b", ["a", "{{ ds }}"], [], None],
        "count": [3, "{{ params.n }}"],
        "ratio": [1, 1.5, "{% if x %}1{% endif %}"],
        "flag": [True, "{{ params.flag }}"],
        "mode": ["fast", "{{ params.mode }}"],
        "nested": [[[1], ["{{ n }}", 2]], [], None],
        "options": [{"a": "b"}, "{{ params.options }}"],
    }
    for name, values in fitting.items():
        for value in values:
            assert problems(**{name: value}) == [], (name, value)
    refused = {
        "text": [1, ["x"]],
        "argv": [1, ["a", 1], {"a": 1}],
        "count": [True, 1.5, "3"],
        "ratio": [False, "1.5"],
        "flag": [1, "yes"],
        "mode": ["slow", 1],
        "nested": [[1], [["x"]], "[[1]]"],
        "options": [["a"], "a"],
    }
    for name, values in refused.items():
        for value in values:
            (found,) = problems(**{name: value})
            assert f"arg '{name}' must be" in found, (name, value)
