// Package listeners tells which TCP ports a process listens on, read from Linux's /proc. A test
// harness that starts a server on a port it chose checks here that the port is the server's own:
// another process may have bound it between the choice and the server's start, and then a
// harness that only waits for "something answers" talks to the wrong server.
package listeners

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// tcpListen is the state column of /proc/net/tcp for a listening socket.
const tcpListen = "0A"

// Ports returns the TCP ports (IPv4 and IPv6) that process pid has a listening socket on.
func Ports(pid int) ([]int, error) {
	inodes, err := socketInodes(pid)
	if err != nil {
		return nil, err
	}
	var ports []int
	for _, table := range []string{"tcp", "tcp6"} {
		found, err := listening(fmt.Sprintf("/proc/%d/net/%s", pid, table), inodes)
		if err != nil {
			return nil, err
		}
		ports = append(ports, found...)
	}
	return ports, nil
}

// socketInodes reads the inodes of the sockets among pid's open files ("socket:[12345]").
func socketInodes(pid int) (map[string]bool, error) {
	fds, err := filepath.Glob(fmt.Sprintf("/proc/%d/fd/*", pid))
	if err != nil {
		return nil, err
	}
	if len(fds) == 0 {
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err != nil {
			return nil, fmt.Errorf("process %d: %w", pid, err)
		}
	}
	inodes := map[string]bool{}
	for _, fd := range fds {
		target, err := os.Readlink(fd)
		if err != nil {
			continue // closed since the glob
		}
		if inode, ok := strings.CutPrefix(target, "socket:["); ok {
			inodes[strings.TrimSuffix(inode, "]")] = true
		}
	}
	return inodes, nil
}

// listening reads a /proc/net/tcp table and returns the local ports of the listening sockets
// whose inode is in inodes.
func listening(table string, inodes map[string]bool) ([]int, error) {
	f, err := os.Open(table)
	if os.IsNotExist(err) {
		return nil, nil // no IPv6 on this machine
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ports []int
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		// sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 || fields[3] != tcpListen || !inodes[fields[9]] {
			continue
		}
		_, hexPort, ok := strings.Cut(fields[1], ":")
		if !ok {
			continue
		}
		port, err := strconv.ParseUint(hexPort, 16, 16)
		if err != nil {
			return nil, fmt.Errorf("%s: local address %q: %w", table, fields[1], err)
		}
		ports = append(ports, int(port))
	}
	return ports, sc.Err()
}
