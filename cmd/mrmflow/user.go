package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"mrmflow/internal/database"
	"mrmflow/internal/domain"
	"mrmflow/internal/user"
)

func userCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprint(stderr, "Usage: mrmflow user create --email E --name N --role ADMIN|VALIDATOR|USER\n")
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			return nil
		}
		return errors.New(`the only user command is "user create"`)
	}
	fs := newFlagSet("user create", "user create --email E --name N --role ADMIN|VALIDATOR|USER\n\nCreates a user in the database named by DATABASE_URL and a first API token for it.\nThe token is printed alone on the last line of standard output.", stderr)
	email := fs.String("email", "", "the user's email (unique, case-insensitive)")
	name := fs.String("name", "", "the user's full name")
	role := fs.String("role", "USER", "ADMIN, VALIDATOR, GLOBAL_APPROVER or USER (a REGIONAL_APPROVER needs regions: create it with POST /api/v1/users)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := loadWithDatabase()
	if err != nil {
		return err
	}
	pool, err := database.Open(ctx, cfg.DatabaseURL, database.PoolOptions{MaxConns: 2})
	if err != nil {
		return err
	}
	defer pool.Close()
	u, t, err := services(pool, cfg, nil).Users.Bootstrap(ctx, user.CreateInput{Email: *email, FullName: *name, Role: domain.Role(*role)}, "initial token")
	if err != nil {
		var e *domain.Error
		if errors.As(err, &e) && len(e.Fields) > 0 {
			return fmt.Errorf("%s: %s", e.Fields[0].Field, e.Fields[0].Message)
		}
		return err
	}
	fmt.Fprintf(stdout, "created user %d <%s> with role %s\n", u.UserID, u.Email, u.Role)
	fmt.Fprintln(stdout, t.Token)
	return nil
}
