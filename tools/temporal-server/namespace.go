package main

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// ensureNamespace registers the namespace through the frontend (as auto-setup's
// `temporal operator namespace create` does), retrying while the services finish starting.
func ensureNamespace(ctx context.Context, o *options) error {
	conn, err := grpc.NewClient(net.JoinHostPort(o.IP, strconv.Itoa(o.Port)), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	client := workflowservice.NewWorkflowServiceClient(conn)
	for {
		_, err = client.RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
			Namespace:                        o.Namespace,
			WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour),
		})
		// A restart finds it registered: AlreadyExists is success.
		if err == nil || status.Code(err) == codes.AlreadyExists {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("register namespace %q: %w", o.Namespace, err)
		case <-time.After(500 * time.Millisecond):
		}
	}
	// A namespace is served once the frontend's cache has it; wait for that, not only the write.
	for {
		if _, err = client.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: o.Namespace}); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("describe namespace %q: %w", o.Namespace, err)
		case <-time.After(500 * time.Millisecond):
		}
	}
}
