package api_test

import (
	"net/http"
	"testing"
)

func TestRegionCreateAndList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.call(http.MethodPost, "/api/v1/regions", e.admin.Token, map[string]any{"code": "EU", "name": "Europe"}).want(http.StatusCreated)
	var page struct {
		Items []struct {
			Code string `json:"code"`
		} `json:"items"`
	}
	e.call(http.MethodGet, "/api/v1/regions", e.admin.Token, nil).want(http.StatusOK).decode(&page)
	if len(page.Items) != 1 || page.Items[0].Code != "EU" {
		t.Fatalf("regions = %+v", page.Items)
	}
}
