"""CPU time that processes spend over a measured phase, per message: what one message costs each server.

Read from ``/proc/<pid>/stat`` (utime + stime: every thread of the process, user and kernel time)
before and after the phase. A process that started during the phase counts from zero; one that
ended during it is left out (its time is no longer readable).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, List, Mapping

TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def cpu_ms(pid: int) -> float:
    """Milliseconds of CPU the process ``pid`` has used so far (0.0 once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()  # after "pid (command)": state is field 3, utime 14, stime 15
    return (int(fields[11]) + int(fields[12])) * 1000.0 / TICKS_PER_S


class CpuMeter:
    """CPU milliseconds of groups of processes (a role each: "rasa", "actions"...) over one phase."""

    def __init__(self, roles: Mapping[str, List[int]]) -> None:
        self.before = {pid: cpu_ms(pid) for pids in roles.values() for pid in pids}

    def per_message(self, messages: int, roles: Mapping[str, List[int]]) -> Dict[str, float]:
        """Each role's CPU milliseconds per message since the meter was made; ``roles`` holds the
        processes now (some may have started during the phase)."""
        return {
            role: sum(cpu_ms(pid) - self.before.get(pid, 0.0) for pid in pids) / messages
            for role, pids in roles.items()
        }
