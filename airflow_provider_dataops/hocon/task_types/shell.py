"""``shell_script``: run a program with an argv list (never a shell string), output to the task log."""

from __future__ import annotations

import shlex
import subprocess

from airflow_provider_dataops.hocon.task import Task


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
        argv = [
            script_path,
            *(shlex.split(script_args) if isinstance(script_args, str) else script_args or []),
        ]
        argv = [str(a) for a in argv]
        self.logger.info("Running %s", shlex.join(argv))
        environment = None
        if env:
            import os

            environment = {**os.environ, **{k: str(v) for k, v in env.items()}}
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
            self.logger.error("Cannot run %s: %s", argv[0], exc)
            return False
        assert proc.stdout is not None
        for line in proc.stdout:
            self.logger.info("%s", line.rstrip("\n"))
        code = proc.wait()
        if code != 0:
            self.logger.error("%s exited with code %d", argv[0], code)
            return False
        return True
