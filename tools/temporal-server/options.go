package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"strings"
)

// options are the command-line settings; defaults match the machine's PostgreSQL (trust auth).
type options struct {
	IP                 string
	Port               int
	UIPort             int
	PgHost             string
	PgPort             int
	PgUser             string
	PgPassword         string
	Database           string
	VisibilityDatabase string
	Namespace          string
	HistoryShards      int
	LogLevel           string
	DynamicConfig      map[string]any
}

type dynamicValues map[string]any

func (d dynamicValues) String() string { return fmt.Sprint(map[string]any(d)) }

// Set takes KEY=VALUE with VALUE in JSON (a bare word is a string), like `temporal server start-dev`.
func (d dynamicValues) Set(kv string) error {
	key, raw, ok := strings.Cut(kv, "=")
	if !ok || key == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", kv)
	}
	var value any
	if err := json.Unmarshal([]byte(raw), &value); err != nil {
		value = raw
	}
	d[key] = value
	return nil
}

func parseOptions(args []string) (*options, error) {
	o := &options{DynamicConfig: map[string]any{}}
	fs := flag.NewFlagSet("temporal-pg-server", flag.ContinueOnError)
	fs.StringVar(&o.IP, "ip", "127.0.0.1", "address the frontend and the UI bind to")
	fs.IntVar(&o.Port, "port", 7233, "frontend gRPC port")
	fs.IntVar(&o.UIPort, "ui-port", 8233, "Web UI port (0: no UI)")
	fs.StringVar(&o.PgHost, "pg-host", "127.0.0.1", "PostgreSQL host")
	fs.IntVar(&o.PgPort, "pg-port", 5432, "PostgreSQL port")
	fs.StringVar(&o.PgUser, "pg-user", "postgres", "PostgreSQL user")
	fs.StringVar(&o.PgPassword, "pg-password", "", "PostgreSQL password (empty with trust auth)")
	fs.StringVar(&o.Database, "db", "temporal", "database for the default store")
	fs.StringVar(&o.VisibilityDatabase, "visibility-db", "temporal_visibility", "database for visibility")
	fs.StringVar(&o.Namespace, "namespace", "default", "namespace registered at start when missing")
	// Fixed for the life of a database: changing it later breaks the cluster. 4 as in auto-setup.
	fs.IntVar(&o.HistoryShards, "history-shards", 4, "history shards (never change for an existing database)")
	fs.StringVar(&o.LogLevel, "log-level", "warn", "debug, info, warn or error")
	fs.Var(dynamicValues(o.DynamicConfig), "dynamic-config-value", "KEY=JSON dynamic config (repeatable)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return o, nil
}

// database is one of the server's two stores and the embedded schema that describes it.
type database struct {
	Name       string
	SchemaName string // directory inside go.temporal.io/server/schema
}

func (o *options) databases() []database {
	return []database{
		{Name: o.Database, SchemaName: "postgresql/v12/temporal"},
		{Name: o.VisibilityDatabase, SchemaName: "postgresql/v12/visibility"},
	}
}
