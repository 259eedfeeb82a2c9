"""tuishades.py SOCKET HOST1 HOST2: the UI's pane (tmux server SOCKET, pane
"ui") shows each host's name in a colour, and not the same one: the SGR
sequences before each host's first line differ (tests/integ/tui.sh)."""
import re
import subprocess
import sys


def main():
    sock, a, b = sys.argv[1:4]
    out = subprocess.run(["tmux", "-L", sock, "capture-pane", "-p", "-e",
                          "-t", "ui"], capture_output=True, check=True)
    text = out.stdout.decode("utf-8", "replace")

    def sgr(host):
        for line in text.splitlines():
            m = re.search(r"((?:\x1b\[[0-9;:]*m)+)" + re.escape(host),
                          line)
            if m:
                return m.group(1)
        return None

    sa, sb = sgr(a), sgr(b)
    print(a, repr(sa), b, repr(sb))
    return 0 if sa and sb and sa != sb else 1


if __name__ == "__main__":
    sys.exit(main())
