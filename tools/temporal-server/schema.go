package main

import (
	"fmt"
	"net"
	"strconv"

	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	"go.temporal.io/server/tools/common/schema"
	sqltool "go.temporal.io/server/tools/sql"
)

func sqlConfig(o *options, dbName string) *config.SQL {
	return &config.SQL{
		PluginName:      postgresql.PluginName,
		User:            o.PgUser,
		Password:        o.PgPassword,
		DatabaseName:    dbName,
		ConnectAddr:     net.JoinHostPort(o.PgHost, strconv.Itoa(o.PgPort)),
		ConnectProtocol: "tcp",
		MaxConns:        20,
		MaxIdleConns:    20,
	}
}

// ensureSchema does what `temporal-sql-tool create-database`, `setup-schema -v 0.0` and
// `update-schema -d schema/postgresql/v12/...` do, with the schema files embedded in the server
// module. Each step is a no-op when already done, so every start runs it.
func ensureSchema(o *options, db database, logger log.Logger) error {
	fmt.Printf("schema: checking database %s (%s)\n", db.Name, db.SchemaName)
	if err := sqltool.DoCreateDatabase(sqlConfig(o, db.Name), "postgres", logger); err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	conn, err := sqltool.NewConnection(sqlConfig(o, db.Name), logger)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	setup := schema.NewSetupSchemaTask(conn, &schema.SetupConfig{InitialVersion: "0.0"}, logger)
	if err := setup.Run(); err != nil {
		return fmt.Errorf("setup version tables: %w", err)
	}
	update := schema.NewUpdateSchemaTask(conn, &schema.UpdateConfig{DBName: db.Name, SchemaName: db.SchemaName}, logger)
	if err := update.Run(); err != nil {
		return fmt.Errorf("update schema: %w", err)
	}
	version, err := conn.ReadSchemaVersion()
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	fmt.Printf("schema: database %s at version %s\n", db.Name, version)
	return nil
}
