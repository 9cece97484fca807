"""``shell_script``: run a program with an argv list (never a shell string), output to the task log.

Before anything runs, the program, the working folder and every argument that names an
existing absolute path must be trusted (:func:`._safety.check_existing`): a script another user
could have swapped is refused. Secrets among the args and env (sensitive-looking names, URL
passwords) are registered with Airflow's masker before anything is logged.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess

from airflow_provider_dataops.hocon import masking
from airflow_provider_dataops.hocon.task import Task


def _check_paths(argv: list[str], working_directory_path: str | None) -> None:
    """The working folder must be private (programs write relative files there); the program and
    path arguments may sit in a shared sticky folder such as ``/tmp`` if they are yours."""
    from airflow_provider_dataops.hocon.task_types._safety import check_existing

    program = argv[0] if os.sep in argv[0] else shutil.which(argv[0])
    if program:
        check_existing(os.path.abspath(program), "script_path", shared_ok=True)
    if working_directory_path:
        check_existing(os.path.abspath(working_directory_path), "working_directory_path")
    for index, arg in enumerate(argv[1:]):
        if os.path.isabs(arg) and os.path.lexists(arg):
            check_existing(arg, f"script_args[{index}]", shared_ok=True)


class ShellScript(Task):
    task_name = "shell_script"

    def run(  # type: ignore[override]
        self,
        script_path: str,
        script_args: str | list[str] | None = None,
        working_directory_path: str | None = None,
        env: dict[str, str] | None = None,
    ) -> bool:
        """``script_args`` as a string is split with shlex; ``env`` is added to the inherited environment."""
        from airflow_provider_dataops.hocon.task_types._safety import UnsafePathError

        argv = [
            script_path,
            *(shlex.split(script_args) if isinstance(script_args, str) else script_args or []),
        ]
        argv = [str(a) for a in argv]
        extra_env = {str(k): str(v) for k, v in (env or {}).items()}
        masking.register(masking.argv_secrets(argv[1:]) | masking.sensitive_values({"env": extra_env}))
        try:
            _check_paths(argv, working_directory_path)
        except UnsafePathError as exc:
            self.logger.error("%s", masking.redact(str(exc)))
            return False
        self.logger.info("Running %s", shlex.join(masking.redact(a) for a in argv))
        environment = {**os.environ, **extra_env} if extra_env else None
        try:
            proc = subprocess.Popen(
                argv,
                cwd=working_directory_path or None,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                env=environment,
            )
        except OSError as exc:
            self.logger.error("Cannot run %s: %s", argv[0], masking.redact(str(exc)))
            return False
        assert proc.stdout is not None
        for line in proc.stdout:
            self.logger.info("%s", masking.redact(line.rstrip("\n")))
        code = proc.wait()
        if code != 0:
            self.logger.error("%s exited with code %d", argv[0], code)
            return False
        return True
