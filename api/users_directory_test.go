package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"mrmflow/internal/domain"
)

// directoryUser is a user as the directory, GET /users/{user_id} and GET /users/me show it.
type directoryUser struct {
	UserID    int32   `json:"user_id"`
	Email     string  `json:"email"`
	FullName  string  `json:"full_name"`
	Role      string  `json:"role"`
	RegionIDs []int32 `json:"region_ids"`
	Disabled  bool    `json:"disabled"`
}

// directoryIDs lists the directory as caller with the query filters, every page of it (limit 500).
func (e *testEnv) directoryIDs(caller fixtureUser, filters url.Values) []int32 {
	e.t.Helper()
	filters.Set("limit", "500")
	var p page[directoryUser]
	e.call(http.MethodGet, "/api/v1/users?"+filters.Encode(), caller.Token, nil).want(http.StatusOK).decode(&p)
	if p.NextCursor != nil {
		e.t.Fatalf("more than 500 users in a test directory")
	}
	ids := make([]int32, len(p.Items))
	for i, u := range p.Items {
		ids[i] = u.UserID
	}
	return ids
}

func TestUsersDirectoryFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	validator := e.user(domain.RoleValidator)
	plain := e.user(domain.RoleUser)
	global := e.user(domain.RoleGlobalApprover)
	regional := e.user(domain.RoleRegionalApprover)
	otherRegional := e.user(domain.RoleRegionalApprover)
	var zoe directoryUser
	e.call(http.MethodPost, "/api/v1/users", e.admin.Token, map[string]any{
		"email": "Zoe.Quartz@Bank.test", "full_name": "Zoë Quartz", "role": "USER",
	}).want(http.StatusCreated).decode(&zoe)
	if zoe.Disabled || zoe.RegionIDs == nil {
		t.Fatalf("created user = %+v, want enabled with region_ids []", zoe)
	}
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/users/%d/disable", plain.ID), e.admin.Token, nil).want(http.StatusNoContent)

	everyone := []int32{e.admin.ID, validator.ID, plain.ID, global.ID, regional.ID, otherRegional.ID, zoe.UserID}
	var regionalRead directoryUser
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/users/%d", regional.ID), e.admin.Token, nil).want(http.StatusOK).decode(&regionalRead)
	if len(regionalRead.RegionIDs) != 1 {
		t.Fatalf("regional approver = %+v, want one region", regionalRead)
	}
	region := regionalRead.RegionIDs[0]

	cases := []struct {
		name    string
		filters url.Values
		want    []int32
	}{
		{"no filter", url.Values{}, everyone},
		{"role", url.Values{"role": {"REGIONAL_APPROVER"}}, []int32{regional.ID, otherRegional.ID}},
		{"role USER", url.Values{"role": {"USER"}}, []int32{plain.ID, zoe.UserID}},
		{"region_id", url.Values{"region_id": {fmt.Sprint(region)}}, []int32{regional.ID}},
		{"region_id nobody belongs to", url.Values{"region_id": {"2147483647"}}, nil},
		{"q in the name, any case", url.Values{"q": {"QUARTZ"}}, []int32{zoe.UserID}},
		{"q in the email, any case", url.Values{"q": {"zoe.quartz@bank"}}, []int32{zoe.UserID}},
		{"q not ASCII", url.Values{"q": {"ë Q"}}, []int32{zoe.UserID}},
		{"q matching every email", url.Values{"q": {"@bank.test"}}, everyone},
		// % and _ are characters, not LIKE's wildcards.
		{"q with LIKE wildcards", url.Values{"q": {"%_"}}, nil},
		{"disabled", url.Values{"disabled": {"true"}}, []int32{plain.ID}},
		{"enabled", url.Values{"disabled": {"false"}}, slices.DeleteFunc(slices.Clone(everyone), func(id int32) bool { return id == plain.ID })},
		{"filters combine", url.Values{"role": {"USER"}, "disabled": {"false"}, "q": {"bank"}}, []int32{zoe.UserID}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := e.as(t)
			got := e.directoryIDs(validator, tc.filters)
			if !slices.Equal(got, tc.want) {
				t.Errorf("users %v, want %v (in id order)", got, tc.want)
			}
		})
	}
}

func TestUsersDirectoryPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for range 6 {
		e.user(domain.RoleValidator)
	}
	all := e.directoryIDs(e.admin, url.Values{})
	if len(all) != 7 || !slices.IsSorted(all) {
		t.Fatalf("directory %v, want 7 users in id order", all)
	}
	var got []int32
	path := "/api/v1/users?limit=3"
	for pages := 1; ; pages++ {
		if pages > 3 {
			t.Fatal("paging does not end after 3 pages of 3")
		}
		var p page[directoryUser]
		e.call(http.MethodGet, path, e.admin.Token, nil).want(http.StatusOK).decode(&p)
		for _, u := range p.Items {
			got = append(got, u.UserID)
		}
		if p.NextCursor == nil {
			break
		}
		path = "/api/v1/users?limit=3&cursor=" + url.QueryEscape(*p.NextCursor)
	}
	if !slices.Equal(got, all) {
		t.Fatalf("pages of 3 gave %v, want %v: no gap, no duplicate", got, all)
	}
	// A filter pages the same way: only the validators, two by two.
	var first, second page[directoryUser]
	e.call(http.MethodGet, "/api/v1/users?role=VALIDATOR&limit=4", e.admin.Token, nil).want(http.StatusOK).decode(&first)
	e.call(http.MethodGet, "/api/v1/users?role=VALIDATOR&limit=4&cursor="+url.QueryEscape(*first.NextCursor), e.admin.Token, nil).
		want(http.StatusOK).decode(&second)
	if len(first.Items) != 4 || len(second.Items) != 2 || second.NextCursor != nil || first.Items[3].UserID >= second.Items[0].UserID {
		t.Fatalf("validator pages %+v then %+v", first, second)
	}
}

func TestUsersDirectoryAccessAndInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	validator := e.user(domain.RoleValidator)
	plain := e.user(domain.RoleUser)
	global := e.user(domain.RoleGlobalApprover)
	regional := e.user(domain.RoleRegionalApprover)

	// Who may read it: ADMIN and VALIDATOR; every other role is 403, for the list and for one user.
	for _, u := range []fixtureUser{e.admin, validator} {
		e.call(http.MethodGet, "/api/v1/users", u.Token, nil).want(http.StatusOK)
		e.call(http.MethodGet, fmt.Sprintf("/api/v1/users/%d", plain.ID), u.Token, nil).want(http.StatusOK)
	}
	for _, u := range []fixtureUser{plain, global, regional} {
		e.call(http.MethodGet, "/api/v1/users", u.Token, nil).wantProblem(http.StatusForbidden, "forbidden")
		e.call(http.MethodGet, fmt.Sprintf("/api/v1/users/%d", u.ID), u.Token, nil).wantProblem(http.StatusForbidden, "forbidden")
	}
	e.call(http.MethodGet, "/api/v1/users", "", nil).wantProblem(http.StatusUnauthorized, "unauthenticated")

	// One user: the directory's shape; 404 when missing; /users/me still answers the caller.
	var got directoryUser
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/users/%d", validator.ID), e.admin.Token, nil).want(http.StatusOK).decode(&got)
	if got.UserID != validator.ID || got.Email != validator.Email || got.Role != "VALIDATOR" || got.Disabled || got.RegionIDs == nil || len(got.RegionIDs) != 0 {
		t.Fatalf("GET /users/%d = %+v", validator.ID, got)
	}
	e.call(http.MethodPost, fmt.Sprintf("/api/v1/users/%d/disable", global.ID), e.admin.Token, nil).want(http.StatusNoContent)
	e.call(http.MethodGet, fmt.Sprintf("/api/v1/users/%d", global.ID), validator.Token, nil).want(http.StatusOK).decode(&got)
	if !got.Disabled {
		t.Fatalf("disabled user shown as %+v", got)
	}
	e.call(http.MethodGet, "/api/v1/users/2147483647", e.admin.Token, nil).wantProblem(http.StatusNotFound, "not_found")
	wantField(t, e.call(http.MethodGet, "/api/v1/users/0", e.admin.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request"), "user_id")
	var me directoryUser
	e.call(http.MethodGet, "/api/v1/users/me", plain.Token, nil).want(http.StatusOK).decode(&me)
	if me.UserID != plain.ID || me.Disabled {
		t.Fatalf("GET /users/me = %+v, want user %d", me, plain.ID)
	}

	// Bad input names the parameter.
	for _, tc := range []struct{ query, field string }{
		{"role=BOSS", "role"},
		{"role=admin", "role"},
		{"q=a", "q"},
		{"q=%C3%AB", "q"}, // one character, two bytes
		{"disabled=maybe", "disabled"},
		{"region_id=abc", "region_id"},
		{"region_id=0", "region_id"},
		{"region_id=2147483648", "region_id"},
		{"email=x%40bank.test", "email"},
		{"q=ab&q=cd", "q"},
		{"limit=501", "limit"},
	} {
		p := e.call(http.MethodGet, "/api/v1/users?"+tc.query, validator.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request")
		if len(p.Errors) != 1 || p.Errors[0].Field != tc.field {
			t.Errorf("%s: errors %+v, want only %s", tc.query, p.Errors, tc.field)
		}
	}
	// The bad values of one layer are named together: the ones the query string cannot convert,
	// then the ones the directory's check refuses.
	p := e.call(http.MethodGet, "/api/v1/users?role=BOSS&q=a&disabled=maybe&region_id=x&colour=red", validator.Token, nil).
		wantProblem(http.StatusBadRequest, "invalid_request")
	for _, f := range []string{"colour", "disabled", "region_id"} {
		wantField(t, p, f)
	}
	p = e.call(http.MethodGet, "/api/v1/users?role=BOSS&q=a", validator.Token, nil).wantProblem(http.StatusBadRequest, "invalid_request")
	for _, f := range []string{"role", "q"} {
		wantField(t, p, f)
	}
}
