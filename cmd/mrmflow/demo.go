package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"mrmflow/internal/config"
	"mrmflow/internal/database"
	"mrmflow/internal/domain"
	"mrmflow/internal/model"
	"mrmflow/internal/region"
	"mrmflow/internal/user"
	"mrmflow/internal/validation"
)

// demoCreators is how many validation requests the demo fires at once for one model.
const demoCreators = 10

// demoCommand shows DATA-01 at work and then a validation done properly: it finds a database as
// `serve --dev` does, migrates it, seeds a validator, a region that requires regional approval and
// a model, fires demoCreators parallel creates of the same validation through the service behind a
// barrier and prints who won and what the others were told; then it works the winner through an
// independent primary validator, an outcome and two approvals to APPROVED (demoLifecycle), and
// shows the model's revalidation schedule at a few days (demoSchedule).
func demoCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", "demo\n\nCreates "+fmt.Sprint(demoCreators)+" validation requests for one model at once and shows that exactly one is created,\nthen works it through assignment, outcome and two approvals to APPROVED.", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	if cfg.DatabaseURL, err = resolveDevDatabase(ctx, cfg.DatabaseURL, stdout); err != nil {
		return err
	}
	if err := database.Migrate(cfg.DatabaseURL, io.Discard); err != nil {
		return err
	}
	pool, err := database.Open(ctx, cfg.DatabaseURL, database.PoolOptions{MaxConns: demoCreators + 2})
	if err != nil {
		return err
	}
	defer pool.Close()

	// Seed: the development admin (regions need ADMIN), a validator, a region and a model named
	// by the time, so the demo can run again on the same database.
	svc := services(pool, cfg, nil)
	users := svc.Users
	admin, _, err := users.EnsureWithToken(ctx, user.CreateInput{Email: devAdminEmail, FullName: "Development Admin", Role: domain.RoleAdmin}, "demo")
	if err != nil {
		return fmt.Errorf("seed admin: %w", err)
	}
	v, _, err := users.EnsureWithToken(ctx, user.CreateInput{Email: "validator@mrmflow.local", FullName: "Demo Validator", Role: domain.RoleValidator}, "demo")
	if err != nil {
		return fmt.Errorf("seed validator: %w", err)
	}
	validator := domain.Actor{UserID: v.UserID, Role: domain.RoleValidator}
	stamp := time.Now().UTC().Format("20060102-150405.000")
	newRegion, err := svc.Regions.Create(ctx, domain.Actor{UserID: admin.UserID, Role: domain.RoleAdmin},
		region.CreateInput{Code: "DEMO-" + stamp, Name: "Demo region", RequiresRegionalApproval: true}, nil)
	if err != nil {
		return fmt.Errorf("seed region: %w", err)
	}
	reg := newRegion.Value
	newModel, err := svc.Models.Create(ctx, validator, model.CreateInput{ModelName: "Demo PD model " + stamp, RegionIDs: []int32{reg.RegionID}}, nil)
	if err != nil {
		return fmt.Errorf("seed model: %w", err)
	}
	m := newModel.Value
	fmt.Fprintf(stdout, "seeded validator %d, region %s, model %d (%q)\n\n", validator.UserID, reg.Code, m.ModelID, m.ModelName)
	fmt.Fprintf(stdout, "firing %d COMPREHENSIVE validation requests for model %d at once...\n\n", demoCreators, m.ModelID)

	due := domain.NewDate(time.Now().AddDate(0, 3, 0))
	type outcome struct {
		req validation.Request
		err error
	}
	outcomes := make([]outcome, demoCreators)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range outcomes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := svc.Validations.Create(ctx, validator, validation.CreateInput{
				ModelIDs: []int32{m.ModelID}, ValidationType: validation.TypeComprehensive, Priority: validation.PriorityHigh,
				TargetCompletionDate: &due, TriggerReason: fmt.Sprintf("demo creator %d", i+1),
			}, nil)
			outcomes[i] = outcome{res.Value, err}
		}()
	}
	close(start)
	wg.Wait()

	created, conflicts := 0, 0
	var winner int32
	for i, o := range outcomes {
		var de *domain.Error
		switch {
		case o.err == nil:
			created++
			winner = o.req.RequestID
			fmt.Fprintf(stdout, "creator %2d: CREATED request %d (status %s)\n", i+1, o.req.RequestID, o.req.Status)
		case errors.As(o.err, &de) && de.Code == domain.CodeValidationConflict:
			conflicts++
			fmt.Fprintf(stdout, "creator %2d: 409 validation_conflict: %s\n", i+1, describeConflicts(de))
		default:
			fmt.Fprintf(stdout, "creator %2d: unexpected error: %v\n", i+1, o.err)
		}
	}
	fmt.Fprintf(stdout, "\n%d created, %d conflicts\n", created, conflicts)
	if created != 1 || conflicts != demoCreators-1 {
		return fmt.Errorf("expected 1 created and %d conflicts", demoCreators-1)
	}
	if err := demoLifecycle(ctx, users, svc.Validations, validator, winner, reg.RegionID, stamp, stdout); err != nil {
		return err
	}
	return demoSchedule(ctx, svc, validator, m.ModelID, stdout)
}

// describeConflicts renders the conflicts of a validation_conflict on one line.
func describeConflicts(e *domain.Error) string {
	conflicts, _ := e.Extra["conflicts"].([]validation.Conflict)
	var parts []string
	for _, c := range conflicts {
		for _, a := range c.ActiveRequests {
			parts = append(parts, fmt.Sprintf("model %d (%s) is held by request %d (%s, %s)", c.ModelID, c.ModelName, a.RequestID, a.ValidationType, a.Status))
		}
	}
	if len(parts) == 0 {
		return e.Message
	}
	return strings.Join(parts, "; ")
}
