"""A real pseudo-terminal for the tests: a ``nianbao`` command in its own process on a pty of a
given size, its screen kept by pyte — what a clerk's terminal shows (the wizard at 80×24,
batch's summary at 80 columns)."""

from __future__ import annotations


class Pty:
    """``nianbao ARGS`` on a pseudo-terminal of ``columns`` × ``rows``, its screen kept by pyte:
    what a clerk's terminal shows, keys typed as bytes.  ``kept``: the lines pyte keeps, when
    more than the terminal's (a command's whole output, none scrolled away)."""

    def __init__(self, args: list[str], cwd, columns: int = 80, rows: int = 24, kept: int | None = None) -> None:
        import fcntl
        import os
        import pty
        import struct
        import subprocess
        import sys
        import termios
        import threading

        import pyte

        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        env = {k: v for k, v in os.environ.items() if k != "EDITOR"} | {"TERM": "xterm", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        self.process = subprocess.Popen([sys.executable, "-m", "nianbao", *args], stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env, start_new_session=True)
        os.close(slave)
        master = self.master

        class Answering(pyte.Screen):
            """Answers the terminal's queries (prompt_toolkit asks where the cursor is), as a
            terminal does; unanswered, every question waits for a timeout."""

            def write_process_input(self, data: str) -> None:
                os.write(master, data.encode("ascii"))

        self.screen = Answering(columns, kept or rows)
        stream = pyte.ByteStream(self.screen)
        self.lock = threading.Lock()

        def read() -> None:
            while True:
                try:
                    data = os.read(self.master, 65536)
                except OSError:
                    return
                if not data:
                    return
                with self.lock:
                    stream.feed(data)

        self.reader = threading.Thread(target=read, daemon=True)
        self.reader.start()

    def type(self, text: str) -> None:
        import os

        os.write(self.master, text.encode("utf-8"))

    def lines(self) -> list[str]:
        with self.lock:
            return [line.rstrip() for line in self.screen.display]

    def text(self) -> str:
        return "\n".join(self.lines())

    def answer_line(self) -> str:
        """The last line that starts with the answer prompt."""
        return next(line for line in reversed(self.lines()) if line.startswith("›"))

    def reversed_text(self) -> str:
        """What the screen shows in reverse video (a selection)."""
        with self.lock:
            return "".join(cell.data for row in range(self.screen.lines) for _, cell in sorted(self.screen.buffer[row].items()) if cell.reverse)

    def until(self, ready, what: str, timeout: float = 30) -> str:
        import time

        end = time.monotonic() + timeout
        while time.monotonic() < end:
            text = self.text()
            if ready(text):
                return text
            time.sleep(0.05)
        raise AssertionError(f"{what} 未出现在屏幕上：\n{self.text()}")

    def asked(self, label: str) -> str:
        """Wait for a question: its label on screen and the answer prompt on the last line."""

        def ready(text: str) -> bool:
            filled = [line for line in text.split("\n") if line.strip()]
            return label[:16].replace(" ", "") in text.replace(" ", "").replace("\n", "") and filled[-1].startswith("›")

        return self.until(ready, label)

    def close(self) -> int:
        import os

        try:
            code = self.process.wait(timeout=30)
            self.reader.join(timeout=10)  # the last output read before the screen is looked at
        finally:
            if self.process.poll() is None:
                self.process.kill()
            os.close(self.master)
        return code
