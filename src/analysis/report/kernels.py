"""One Jupyter kernel per report worker process, reused for every notebook that worker runs.

Starting a kernel and importing pandas, matplotlib and this package in it costs about 2 s; a report runs one notebook
per reporting unit, so paying that once per worker instead of once per notebook is a large part of the report's
speed-up (see BENCHMARKS.md). After each notebook the kernel's namespace is cleared (`RESET_CODE`), so a notebook
sees none of the previous one's variables; imported modules stay loaded, which is the point. After a notebook that
failed, the kernel is replaced before the next one.

papermill runs the notebooks through the engine registered here (``ENGINE``): papermill's own nbclient engine, given
the worker's kernel manager instead of starting a kernel of its own.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from jupyter_client.manager import KernelManager
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.iorw import write_ipynb
from papermill.log import logger

from analysis.core.lock import pid_alive

ENGINE = "analysis-reused-kernel"
KERNEL_NAME = "python3"
START_TIMEOUT = 60
# Between notebooks: drop every name a notebook made (underscore names and output history included) and keep the
# imported modules. Like ``%reset -f`` without its full garbage collection of the heap (~0.2 s a notebook); cycles
# left behind are collected by Python in due course. Process-wide settings (matplotlib rcParams, pandas options,
# warnings already shown) persist: the report notebooks change none of them (charts use `charts.house_style`).
RESET_CODE = """\
def _analysis_reset(ip):
    ip.history_manager.reset(new_session=False)
    ns, hidden = ip.user_ns, ip.user_ns_hidden
    for name in [n for n in ns if n not in hidden]:
        del ns[name]
    ns.update({n: "" for n in ("_", "__", "___", "_i", "_ii", "_iii")})
    __import__("analysis.core.memory", fromlist=["give_back"]).give_back()  # what the notebook freed, to the system
_analysis_reset(get_ipython())
"""
# the client nbclient uses: its asynchronous poller honours the execution timeout and notices a dead kernel
CLIENT_CLASS = "jupyter_client.asynchronous.AsyncKernelClient"
FOLDER_PREFIX = "analysis-kernel-"  # + the owning process's id: a folder whose owner is gone is removed
# Run by each kernel as it starts, before it answers anything (`--IPKernelApp.exec_files`): when the worker that
# started it is gone (even killed with SIGKILL, when nothing in the worker runs), the kernel removes its own folder
# and ends within half a second. It replaces ipykernel's own parent poller, which ends a kernel without cleaning up.
WATCH_CODE = """\
def _analysis_watch(parent, folder):
    import os, shutil, time
    open(os.path.join(folder, "watching"), "w").close()  # for a test: this kernel cleans up after itself now
    while os.getppid() == parent:
        time.sleep(0.2)
    shutil.rmtree(folder, ignore_errors=True)
    os._exit(1)
__import__("threading").Thread(target=_analysis_watch, args=({parent}, {folder!r}), daemon=True).start()
del _analysis_watch
"""

# POSIX: ipykernel's own parent poller would end the kernel without removing its folder, sometimes before the
# watcher above notices (it polls every second, the watcher every 0.2 s): the watcher alone ends it
_NO_OWN_POLLER = ["--IPKernelApp.parent_handle=0"] if os.name == "posix" else []
_manager: KernelManager | None = None
_cwd: Path | None = None
_starting: KernelManager | None = None  # a kernel being started (its folder exists): killed too by kill_now
# The notebooks' connection to the kernel, kept open from one notebook to the next: a new client waits for the
# kernel's output channel to stay quiet for 0.2 s before its first cell (jupyter_client's wait_for_ready), as long
# as a unit's page takes to compute. nbclient opens it for the first notebook; it closes with the kernel.
_client = None


def start(cwd: Path) -> KernelManager:
    """Start this process's kernel in `cwd`, replacing any previous one."""
    global _manager, _cwd, _starting
    shutdown()
    sweep_orphans()
    folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-"))  # sockets and connection file
    if os.name == "posix":  # local sockets: nothing listens on the network, no "TCP without encryption" warning
        manager = KernelManager(kernel_name=KERNEL_NAME, transport="ipc", client_class=CLIENT_CLASS)
        manager.ip = str(folder / "kernel")
    else:  # Windows: TCP on the loopback interface, as Jupyter itself does there
        manager = KernelManager(kernel_name=KERNEL_NAME, client_class=CLIENT_CLASS)
    manager.connection_file = str(folder / "kernel.json")  # not a stray /tmp/tmp*.json
    _starting = manager
    watch = folder / "watch.py"  # the kernel watches this process from its first moment, not once it is ready
    watch.write_text(WATCH_CODE.format(parent=os.getpid(), folder=str(folder)), encoding="utf-8")
    try:
        manager.start_kernel(
            cwd=str(cwd),
            env=dict(os.environ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            extra_arguments=[f"--IPKernelApp.exec_files={watch}", *_NO_OWN_POLLER],
        )
    except BaseException:
        _stop(manager)
        raise
    finally:
        _starting = None
    _manager, _cwd = manager, cwd
    return manager


def _run_code(manager: KernelManager, code: str, what: str) -> None:
    """Run `code` in the kernel over a connection of its own, once the kernel is ready; RuntimeError if it fails."""
    client = manager.blocking_client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=START_TIMEOUT)
        reply = client.execute_interactive(code, silent=True, store_history=False, timeout=START_TIMEOUT)
        if reply["content"].get("status") != "ok":
            raise RuntimeError(f"kernel không chạy được {what}: {reply['content']}")
    finally:
        client.stop_channels()


def sweep_orphans() -> None:
    """Remove the kernel folders of processes that are gone (killed before they could clean up)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*"):
        owner = folder.name.removeprefix(FOLDER_PREFIX).split("-", 1)[0]
        if owner.isdigit() and not pid_alive(int(owner)):
            shutil.rmtree(folder, ignore_errors=True)


def interrupt() -> None:
    """Interrupt what this process's kernel is running (Ctrl+C in the terminal does not reach it: a kernel runs in
    a session of its own). Safe in a signal handler: one system call."""
    pid = getattr(getattr(_manager, "provisioner", None), "pid", None)
    if pid and os.name == "posix":
        with contextlib.suppress(OSError):  # already gone
            os.kill(pid, signal.SIGINT)


def current(cwd: Path) -> KernelManager:
    """This process's kernel, started on first use (or again if it died or was started elsewhere)."""
    if _manager is None or _cwd != cwd or not _manager.is_alive():
        return start(cwd)
    return _manager


def warm_up(cwd: Path, code: str) -> None:
    """Start this process's kernel now and run `code` in it: the imports every notebook needs, done before the
    first notebook arrives (and kept: modules outlive the namespace clearing between notebooks)."""
    _run_code(current(cwd), code, "lệnh khởi động")


def discard() -> None:
    """After a notebook failed (error, timeout, dead kernel), its kernel's state is unknown: the next one starts
    a fresh kernel."""
    shutdown()


def _drop_client() -> None:
    """Close the notebooks' connection (after a failure its state is unknown; a new kernel needs a new one)."""
    global _client
    client, _client = _client, None
    if client is not None:
        with contextlib.suppress(Exception):
            client.stop_channels()


def shutdown() -> None:
    """Stop this process's kernel and remove its folder (sockets, connection file)."""
    global _manager, _cwd
    _drop_client()
    manager, _manager, _cwd = _manager, None, None
    if manager is not None:
        _stop(manager)


def kill_now() -> None:
    """Kill this process's kernel and remove its folder at once: for a worker that must end now (its parent is
    gone). Safe in a signal handler: system calls only, no messages to the kernel."""
    global _manager, _cwd, _starting, _client
    managers, _manager, _cwd, _starting, _client = (_manager, _starting), None, None, None, None
    for manager in managers:  # the running kernel, and one being started (killed between start and watch)
        if manager is None:
            continue
        pid = getattr(getattr(manager, "provisioner", None), "pid", None)
        if pid:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        _remove_folder(manager)
    # every folder this process made, also one whose kernel was being started or stopped when the end came
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}{os.getpid()}-*"):
        shutil.rmtree(folder, ignore_errors=True)


def _stop(manager: KernelManager) -> None:
    try:
        if manager.has_kernel:
            manager.shutdown_kernel(now=True)
    finally:
        _remove_folder(manager)


def _remove_folder(manager: KernelManager) -> None:
    shutil.rmtree(Path(manager.connection_file).parent, ignore_errors=True)


class ReusedKernelEngine(NBClientEngine):
    """papermill's nbclient engine on this process's kernel; the kernel outlives the notebook."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=START_TIMEOUT,
        execution_timeout=None,
        **kwargs,
    ):
        if _manager is None:
            raise RuntimeError("analysis.report.kernels.start() must run before a notebook uses the reused kernel")
        client = PapermillNotebookClient(
            nb_man,
            km=_manager,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        global _client
        client.kc = _client  # None for the first notebook on this kernel: nbclient connects
        try:
            nb = client.execute()
            _clear_namespace(client)
            _client = client.kc  # kept for the next notebook
            return nb
        except BaseException:  # a timeout or a dead kernel: keep what ran so far to look into (papermill writes
            _client = client.kc  # (closed below: the kernel is discarded after a failure)
            _drop_client()
            output = nb_man.nb.metadata.get("papermill", {}).get("output_path")  # the notebook at the end only)
            if output:
                write_ipynb(nb_man.nb, output)
            raise


def _clear_namespace(client: PapermillNotebookClient) -> None:
    """`RESET_CODE` over the notebook's own connection, so the next notebook on this kernel starts clean."""
    msg_id = client.kc.execute(RESET_CODE, silent=True, store_history=False)
    reply = client.wait_for_reply(msg_id)  # nbclient: at most its own `timeout` (the execution timeout)
    if reply is None or reply["content"].get("status") != "ok":
        raise RuntimeError(f"không xóa được biến của sổ tay trước trong kernel: {reply and reply['content']}")


papermill_engines.register(ENGINE, ReusedKernelEngine)
