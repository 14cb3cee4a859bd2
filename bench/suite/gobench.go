package suite

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// goBenchmarks are the Go benchmarks of the service methods make bench runs: creating validation
// requests and bulk confirmation, without HTTP. They take their database from TEST_DATABASE_URL,
// like the tests; compare runs with benchstat on their raw output.
var goBenchmarks = []struct{ pkg, pattern, benchtime string }{
	{"./internal/validation", "^BenchmarkCreate", "2s"},
	{"./internal/deployment", "^BenchmarkBulkConfirm$", "5x"},
}

// GoBenchmarks runs the Go benchmarks against the server of adminURL and returns their result
// lines.
func GoBenchmarks(ctx context.Context, adminURL string, log io.Writer) ([]string, error) {
	var lines []string
	for _, b := range goBenchmarks {
		fmt.Fprintf(log, "go test -bench %s %s\n", b.pattern, b.pkg)
		cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", b.pattern, "-benchtime", b.benchtime, "-count", "1", b.pkg)
		cmd.Env = append(os.Environ(), "TEST_DATABASE_URL="+adminURL)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("go benchmarks of %s: %w\n%s", b.pkg, err, out.Bytes())
		}
		s := bufio.NewScanner(&out)
		for s.Scan() {
			if strings.HasPrefix(s.Text(), "Benchmark") {
				lines = append(lines, s.Text())
			}
		}
	}
	return lines, nil
}
