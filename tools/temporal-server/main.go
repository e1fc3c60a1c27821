// Command temporal-pg-server runs the Temporal server (go.temporal.io/server) on PostgreSQL with
// the Web UI (github.com/temporalio/ui-server), creating and migrating its two databases first.
//
//	temporal-pg-server [flags]        migrate if needed, then serve until SIGINT/SIGTERM
//	temporal-pg-server migrate-only   create + migrate the databases, then exit
//	temporal-pg-server sql-tool ...   the server's own temporal-sql-tool, unchanged
//	temporal-pg-server version
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	sqltool "go.temporal.io/server/tools/sql"
)

// Versions this binary is built from (see go.mod); printed so a log says what ran.
const (
	serverVersion = "1.29.1"
	uiVersion     = "2.42.1"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "sql-tool" {
		// The server's schema tool, for operators who want it by hand (same flags as temporal-sql-tool).
		if err := sqltool.RunTool(append([]string{"temporal-sql-tool"}, os.Args[2:]...)); err != nil {
			fail(err)
		}
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "version" {
		fmt.Printf("temporal server %s, ui-server %s\n", serverVersion, uiVersion)
		return
	}
	migrateOnly := len(os.Args) > 1 && os.Args[1] == "migrate-only"
	args := os.Args[1:]
	if migrateOnly {
		args = args[1:]
	}
	opts, err := parseOptions(args)
	if err != nil {
		fail(err)
	}
	logger := newLogger(opts.LogLevel)

	for _, db := range opts.databases() {
		if err := ensureSchema(opts, db, logger); err != nil {
			fail(fmt.Errorf("database %q: %w", db.Name, err))
		}
	}
	if migrateOnly {
		return
	}

	running, err := start(opts, logger)
	if err != nil {
		fail(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	err = ensureNamespace(ctx, opts)
	cancel()
	if err != nil {
		running.Stop()
		fail(err)
	}
	fmt.Printf("temporal server %s on PostgreSQL %s:%d (databases %s, %s) listening on %s:%d\n",
		serverVersion, opts.PgHost, opts.PgPort, opts.Database, opts.VisibilityDatabase, opts.IP, opts.Port)
	if opts.UIPort > 0 {
		fmt.Printf("web UI %s at http://%s:%d\n", uiVersion, opts.IP, opts.UIPort)
	}

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	fmt.Println("stopping the temporal server")
	running.Stop()
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "temporal-pg-server:", err)
	os.Exit(1)
}
