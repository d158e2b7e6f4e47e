// SPDX-License-Identifier: MIT
//
// The harness of the validation programs: TAP output, a bundle with a
// busybox rootfs and the checker, and the runtime's command line.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	rspec "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-tools/generate"
)

// cmdTimeout bounds one call of the runtime: a runtime that hangs fails
// its point instead of the whole program.
const cmdTimeout = 20 * time.Second

// tap numbers the points of one program and remembers whether any failed,
// so the exit status says the same as the output.
type tap struct {
	n, failed int
}

// ok prints one point; a failure also prints why as a diagnostic.
func (t *tap) ok(cond bool, desc string, why ...interface{}) bool {
	t.n++
	if cond {
		fmt.Printf("ok %d - %s\n", t.n, desc)
		return true
	}
	t.failed++
	fmt.Printf("not ok %d - %s\n", t.n, desc)
	if len(why) > 0 {
		t.diag(fmt.Sprint(why...))
	}
	return false
}

// skip prints a point that could not be tried here, with the reason.
func (t *tap) skip(desc, why string) {
	t.n++
	fmt.Printf("ok %d - %s # SKIP %s\n", t.n, desc, why)
}

// diag prints text as TAP comments, one a line.
func (t *tap) diag(s string) {
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		fmt.Printf("# %s\n", l)
	}
}

// program is one validation program: it gets a fresh bundle, its TAP and
// the runtime, and prints its points.
type program func(t *tap, b *bundle)

// runProgram prepares the work dir and the bundle, runs p, cleans up and
// returns the exit status: 0 when every point passed.
func runProgram(name string, p program) int {
	rt := os.Getenv("RUNTIME")
	if rt == "" {
		fmt.Println("1..0 # SKIP RUNTIME not set")
		return 0
	}
	fmt.Println("TAP version 13")
	t := &tap{}
	work := os.Getenv("OCIV_WORK")
	var err error
	if work == "" {
		work, err = os.MkdirTemp("", "oci-validate-")
	} else {
		work = filepath.Join(work, name)
		os.RemoveAll(work)
		err = os.MkdirAll(work, 0755)
	}
	if err == nil {
		// a user namespace's root must reach the rootfs below it
		err = os.Chmod(work, 0755)
	}
	if err != nil {
		t.ok(false, "work dir", err)
		fmt.Printf("1..%d\n", t.n)
		return 1
	}
	// under OCIV_WORK the caller removes the dir, after it has checked
	// that the runtime left no mount there
	keep := os.Getenv("OCIV_KEEP") != "" || os.Getenv("OCIV_WORK") != ""
	b, err := newBundle(t, rt, work, name)
	if err != nil {
		t.ok(false, "prepare the bundle", err)
	} else {
		// a program stopped by its time-out still removes its containers
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		go func() {
			<-sig
			t.ok(false, "stopped by a signal (time-out?)")
			b.cleanup()
			if !keep {
				os.RemoveAll(work)
			}
			fmt.Printf("1..%d\n", t.n)
			os.Exit(1)
		}()
		p(t, b)
		b.cleanup()
	}
	if !keep {
		os.RemoveAll(work)
	}
	fmt.Printf("1..%d\n", t.n)
	if t.failed > 0 {
		return 1
	}
	return 0
}

// bundle is the bundle dir of a program, its generated config and the
// container ids it created (deleted at the end whatever happened).
type bundle struct {
	t       *tap
	runtime string
	dir     string
	rootfs  string
	work    string
	name    string
	g       generate.Generator
	ids     []string
	seq     int
}

// newBundle makes WORK/bundle with a busybox rootfs holding the checker,
// and a default config (runtime-tools' generate defaults, the checker as
// the process).
func newBundle(t *tap, rt, work, name string) (*bundle, error) {
	b := &bundle{t: t, runtime: rt, work: work, name: name,
		dir: filepath.Join(work, "bundle")}
	b.rootfs = filepath.Join(b.dir, "rootfs")
	if err := makeRootfs(b.rootfs); err != nil {
		return nil, err
	}
	g, err := generate.New("linux")
	if err != nil {
		return nil, err
	}
	g.SetRootPath("rootfs")
	g.SetProcessArgs([]string{"/runtimetest"})
	g.SetProcessTerminal(false)
	g.SetHostname("ociv")
	// generate's default seccomp profile is the job of the default and
	// linux_seccomp programs; the others test one thing each
	g.Config.Linux.Seccomp = nil
	b.g = g
	return b, nil
}

// makeRootfs lays out a minimal rootfs: a static busybox with the applets
// the programs use, the checker as /runtimetest, and the usual dirs.
func makeRootfs(root string) error {
	for _, d := range []string{"bin", "dev", "proc", "sys", "tmp", "etc",
		"mnt", "root"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0755); err != nil {
			return err
		}
	}
	if err := os.Chmod(filepath.Join(root, "tmp"), 01777); err != nil {
		return err
	}
	bb := os.Getenv("OCIV_BUSYBOX")
	if bb == "" {
		bb = "/bin/busybox"
	}
	if err := copyFile(bb, filepath.Join(root, "bin/busybox"), 0755); err != nil {
		return fmt.Errorf("busybox: %v", err)
	}
	for _, a := range []string{"sh", "cat", "sleep", "echo", "true", "ls"} {
		if err := os.Symlink("busybox", filepath.Join(root, "bin", a)); err != nil {
			return err
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if err := copyFile(self, filepath.Join(root, "runtimetest"), 0755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(root, "etc/passwd"),
		[]byte("root:x:0:0:root:/root:/bin/sh\n"), 0644)
}

// copyFile copies a regular file with the given mode.
func copyFile(from, to string, mode os.FileMode) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// save writes the generated config to the bundle's config.json and a copy
// into the rootfs, where the checker reads it.
func (b *bundle) save() error {
	opts := generate.ExportOptions{}
	if err := b.g.SaveToFile(filepath.Join(b.dir, "config.json"), opts); err != nil {
		return err
	}
	return b.g.SaveToFile(filepath.Join(b.rootfs, "ociv-config.json"), opts)
}

// newID returns a container id unique to this program and process.
func (b *bundle) newID() string {
	b.seq++
	id := fmt.Sprintf("ociv-%s-%d-%d", strings.ReplaceAll(b.name, "_", "-"),
		os.Getpid(), b.seq)
	b.ids = append(b.ids, id)
	return id
}

// result is what one call of the runtime did.
type result struct {
	rc       int
	out, err string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d, stdout %q, stderr %q", r.rc,
		strings.TrimSpace(r.out), strings.TrimSpace(r.err))
}

// rt runs the runtime with ARGS, stdin /dev/null and stdout/stderr in
// files (a detached container keeps the runtime's descriptors: with pipes
// we would wait for the container), bounded by cmdTimeout.
func (b *bundle) rt(args ...string) result {
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.runtime, globalArgs(args)...)
	cmd.Dir = b.dir
	outf, err := os.CreateTemp(b.work, "out-")
	if err != nil {
		return result{rc: -1, err: err.Error()}
	}
	errf, err := os.CreateTemp(b.work, "err-")
	if err != nil {
		outf.Close()
		return result{rc: -1, err: err.Error()}
	}
	defer func() {
		outf.Close()
		errf.Close()
		os.Remove(outf.Name())
		os.Remove(errf.Name())
	}()
	cmd.Stdout, cmd.Stderr = outf, errf
	t0 := time.Now()
	err = cmd.Run()
	b.slow(args, time.Since(t0))
	r := result{}
	if ctx.Err() != nil {
		r.rc = -1
		r.err = "timed out after " + cmdTimeout.String() + "\n"
	} else if ee, isExit := err.(*exec.ExitError); isExit {
		r.rc = exitStatus(ee)
	} else if err != nil {
		r.rc = -1
		r.err = err.Error() + "\n"
	}
	o, _ := os.ReadFile(outf.Name())
	e, _ := os.ReadFile(errf.Name())
	r.out, r.err = string(o), r.err+string(e)
	return r
}

// slow tells, as a TAP comment, of a runtime call that took over a
// second: a lifecycle step that waits for something is worth a look.
func (b *bundle) slow(args []string, d time.Duration) {
	if d > time.Second {
		b.t.diag(fmt.Sprintf("slow: %s %s took %.1fs", filepath.Base(b.runtime),
			strings.Join(args, " "), d.Seconds()))
	}
}

// globalArgs puts `--root OCIV_ROOT` before the command when that is set:
// the runtime's state then lives in the work dir, not in /run.
func globalArgs(args []string) []string {
	if root := os.Getenv("OCIV_ROOT"); root != "" {
		return append([]string{"--root", root}, args...)
	}
	return args
}

// rtStdio runs a command whose container writes to the bundle's stdout
// and stderr files (create and run): the container inherits them.
func (b *bundle) rtStdio(args ...string) result {
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.runtime, globalArgs(args)...)
	cmd.Dir = b.dir
	outf, err1 := os.OpenFile(filepath.Join(b.work, "stdout"),
		os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0644)
	errf, err2 := os.OpenFile(filepath.Join(b.work, "stderr"),
		os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0644)
	if err1 != nil || err2 != nil {
		return result{rc: -1, err: fmt.Sprint(err1, err2)}
	}
	cmd.Stdout, cmd.Stderr = outf, errf
	t0 := time.Now()
	err := cmd.Run()
	b.slow(args, time.Since(t0))
	outf.Close()
	errf.Close()
	r := result{}
	if ctx.Err() != nil {
		r.rc = -1
		r.err = "timed out after " + cmdTimeout.String() + "\n"
	} else if ee, isExit := err.(*exec.ExitError); isExit {
		r.rc = exitStatus(ee)
	} else if err != nil {
		r.rc = -1
		r.err = err.Error() + "\n"
	}
	e, _ := os.ReadFile(filepath.Join(b.work, "stderr"))
	r.err += string(e)
	return r
}

// exitStatus is the exit status, or 128 + the signal that killed it (an
// assertion's SIGABRT shows as 134, as in a shell).
func exitStatus(ee *exec.ExitError) int {
	if ws, isWait := ee.Sys().(syscall.WaitStatus); isWait && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ee.ExitCode()
}

// create runs `create --bundle DIR ID` after saving the config.
func (b *bundle) create(id string, extra ...string) result {
	if err := b.save(); err != nil {
		return result{rc: -1, err: err.Error()}
	}
	args := append([]string{"create", "--bundle", b.dir}, extra...)
	return b.rtStdio(append(args, id)...)
}

// state runs `state ID` and decodes the JSON it prints.
func (b *bundle) state(id string) (rspec.State, result) {
	var st rspec.State
	r := b.rt("state", id)
	if r.rc == 0 {
		if err := json.Unmarshal([]byte(r.out), &st); err != nil {
			r.rc = -1
			r.err += "state is not JSON: " + err.Error()
		}
	}
	return st, r
}

// waitStatus polls the state until it says want, for at most d.
func (b *bundle) waitStatus(id string, want rspec.ContainerState,
	d time.Duration) (rspec.State, result) {
	end := time.Now().Add(d)
	for {
		st, r := b.state(id)
		if (r.rc == 0 && st.Status == want) || time.Now().After(end) {
			return st, r
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// cleanup deletes, forcibly, every container the program made: a failed
// program must not leave a container or its cgroup behind.
// A runtime whose state is broken gets the kill and both deletes all
// the same.
func (b *bundle) cleanup() {
	for _, id := range b.ids {
		_, r := b.state(id)
		if b.rt("kill", id, "KILL").rc == 0 && r.rc == 0 {
			b.waitStatus(id, rspec.StateStopped, 3*time.Second)
		}
		if b.rt("delete", id).rc != 0 {
			b.rt("delete", "--force", id)
		}
	}
}

// stdout returns what the container wrote to its stdout.
func (b *bundle) stdout() string {
	o, _ := os.ReadFile(filepath.Join(b.work, "stdout"))
	return string(o)
}

// inside runs the container to its end, by create + start (or `run` when
// OCIV_LIFECYCLE=run), and returns its stdout: for the checker, its TAP.
func (b *bundle) inside(desc string) (string, bool) {
	id := b.newID()
	if os.Getenv("OCIV_LIFECYCLE") == "run" {
		if err := b.save(); err != nil {
			return "", b.t.ok(false, desc+": save config", err)
		}
		r := b.rtStdio("run", "--bundle", b.dir, id)
		if !b.t.ok(r.rc == 0, desc+": run", r) {
			return b.stdout(), false
		}
		return b.stdout(), true
	}
	r := b.create(id)
	if !b.t.ok(r.rc == 0, desc+": create", r) {
		return b.stdout(), false
	}
	r = b.rt("start", id)
	if !b.t.ok(r.rc == 0, desc+": start", r) {
		return b.stdout(), false
	}
	st, r := b.waitStatus(id, rspec.StateStopped, 10*time.Second)
	b.t.ok(r.rc == 0 && st.Status == rspec.StateStopped,
		desc+": the state becomes stopped", r, " status ", st.Status)
	r = b.rt("delete", id)
	b.t.ok(r.rc == 0, desc+": delete", r)
	return b.stdout(), true
}

// check runs the checker in the container and turns each of its points
// into a point of the program; a checker that said nothing fails.
func (b *bundle) check(desc string) {
	out, started := b.inside(desc)
	if !started {
		return
	}
	b.relay(desc, out)
}

// relay re-numbers the checker's TAP lines into the program's TAP.
func (b *bundle) relay(desc, out string) {
	seen := 0
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "ok "):
			seen++
			d := l[strings.Index(l[3:], " ")+4:]
			if i := strings.Index(d, "# SKIP "); i >= 0 {
				b.t.skip(desc+": "+strings.TrimSpace(strings.TrimPrefix(d[:i], "- ")), d[i+7:])
			} else {
				b.t.ok(true, desc+": "+strings.TrimPrefix(d, "- "))
			}
		case strings.HasPrefix(l, "not ok "):
			seen++
			d := l[strings.Index(l[7:], " ")+8:]
			b.t.ok(false, desc+": "+strings.TrimPrefix(d, "- "))
		case strings.HasPrefix(l, "#"):
			fmt.Println(l)
		}
	}
	b.t.ok(seen > 0, desc+": the checker ran and reported",
		"container stdout: ", out, "; stderr: ", readFile(filepath.Join(b.work, "stderr")))
}

// readFile returns a file's text, or the error as text.
func readFile(p string) string {
	d, err := os.ReadFile(p)
	if err != nil {
		return err.Error()
	}
	return string(bytes.TrimSpace(d))
}
