package main

import (
	"fmt"
	"net"
	"strconv"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uioptions "github.com/temporalio/ui-server/v2/server/server_options"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/membership/static"
	"go.temporal.io/server/common/primitives"
	"go.temporal.io/server/temporal"
)

const clusterName = "active"

type runningServer struct {
	server temporal.Server
	ui     *uiserver.Server
}

func (r *runningServer) Stop() {
	if r.ui != nil {
		r.ui.Stop()
	}
	r.server.Stop()
}

func newLogger(level string) log.Logger {
	return log.NewZapLogger(log.BuildZapLogger(log.Config{Level: level, Format: "console"}))
}

// start runs all four services in this process (one host, static membership) and the Web UI.
func start(o *options, logger log.Logger) (*runningServer, error) {
	ports, err := freePorts(o.IP, 4)
	if err != nil {
		return nil, err
	}
	httpPort, membership := ports[0], ports[1:]
	conf := serverConfig(o, httpPort, membership)
	frontend := net.JoinHostPort(o.IP, strconv.Itoa(o.Port))

	authorizer, err := authorization.GetAuthorizerFromConfig(&conf.Global.Authorization)
	if err != nil {
		return nil, err
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&conf.Global.Authorization, logger)
	if err != nil {
		return nil, err
	}
	host := func(port int) static.Hosts { return static.SingleLocalHost(net.JoinHostPort(o.IP, strconv.Itoa(port))) }
	dynamic := dynamicconfig.StaticClient{}
	for k, v := range o.DynamicConfig {
		dynamic[dynamicconfig.Key(k)] = v
	}
	server, err := temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(map[primitives.ServiceName]static.Hosts{
			primitives.FrontendService: host(o.Port),
			primitives.HistoryService:  host(membership[0]),
			primitives.MatchingService: host(membership[1]),
			primitives.WorkerService:   host(membership[2]),
		}),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(dynamic),
	)
	if err != nil {
		return nil, fmt.Errorf("build server: %w", err)
	}
	running := &runningServer{server: server}
	if o.UIPort > 0 {
		running.ui = uiserver.NewServer(uioptions.WithConfigProvider(&uiconfig.Config{
			Host:                o.IP,
			Port:                o.UIPort,
			TemporalGRPCAddress: frontend,
			EnableUI:            true,
			CORS:                uiconfig.CORS{CookieInsecure: true},
			HideLogs:            true,
		}))
		// ui.Start blocks; a UI that cannot bind must not take the server down silently.
		go func() {
			if err := running.ui.Start(); err != nil {
				fmt.Println("web UI failed:", err)
			}
		}()
	}
	if err := server.Start(); err != nil {
		if running.ui != nil {
			running.ui.Stop()
		}
		return nil, fmt.Errorf("start server: %w", err)
	}
	return running, nil
}

func serverConfig(o *options, httpPort int, membership []int) *config.Config {
	conf := &config.Config{}
	conf.Global.Membership.MaxJoinDuration = 30e9
	conf.Global.Membership.BroadcastAddress = o.IP
	conf.Persistence.DefaultStore = "postgres-default"
	conf.Persistence.VisibilityStore = "postgres-visibility"
	conf.Persistence.NumHistoryShards = int32(o.HistoryShards)
	conf.Persistence.DataStores = map[string]config.DataStore{
		"postgres-default":    {SQL: sqlConfig(o, o.Database)},
		"postgres-visibility": {SQL: sqlConfig(o, o.VisibilityDatabase)},
	}
	frontend := net.JoinHostPort(o.IP, strconv.Itoa(o.Port))
	conf.ClusterMetadata = &cluster.Config{
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             frontend,
				HTTPAddress:            net.JoinHostPort(o.IP, strconv.Itoa(httpPort)),
			},
		},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	service := func(grpcPort, httpPort int) config.Service {
		var s config.Service
		s.RPC.GRPCPort = grpcPort
		s.RPC.HTTPPort = httpPort
		s.RPC.BindOnIP = o.IP
		return s
	}
	conf.Services = map[string]config.Service{
		"frontend": service(o.Port, httpPort),
		"history":  service(membership[0], 0),
		"matching": service(membership[1], 0),
		"worker":   service(membership[2], 0),
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	conf.PublicClient.HostPort = frontend
	return conf
}

// freePorts asks the OS for n ports for the internal services; only the frontend is fixed.
func freePorts(ip string, n int) ([]int, error) {
	ports := make([]int, 0, n)
	listeners := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
		if err != nil {
			return nil, fmt.Errorf("free port: %w", err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
