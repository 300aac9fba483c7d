package emulator

import (
	"errors"
	"time"

	"golang.org/x/sys/unix"
)

// process is the function's process held by a pidfd: unlike its pid, the handle cannot come to
// name another process once the function has exited and been reaped by whoever adopted it.
type process struct{ fd int } // -1: no process

// openProcess holds pid; a pid that is 0 or already gone gives no process.
func openProcess(pid int) process {
	if pid <= 0 {
		return process{fd: -1}
	}
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return process{fd: -1}
	}
	return process{fd: fd}
}

func (p process) kill() {
	if p.fd >= 0 {
		_ = unix.PidfdSendSignal(p.fd, unix.SIGKILL, nil, 0)
	}
}

// exited waits up to d for the process to end, and tells whether it has.
func (p process) exited(d time.Duration) bool {
	if p.fd < 0 {
		return true
	}
	deadline := time.Now().Add(d)
	for {
		ms := max(0, int(time.Until(deadline).Milliseconds()))
		n, err := unix.Poll([]unix.PollFd{{Fd: int32(p.fd), Events: unix.POLLIN}}, ms)
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case err != nil:
			return true // cannot tell; Stop still waits for the output pipe
		}
		return n > 0
	}
}

func (p process) close() {
	if p.fd >= 0 {
		_ = unix.Close(p.fd)
	}
}
