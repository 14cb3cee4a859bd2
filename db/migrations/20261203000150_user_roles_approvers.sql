-- migrate:up
-- The approver roles of the validation lifecycle: a GLOBAL_APPROVER decides a request's GLOBAL
-- approval, a REGIONAL_APPROVER the REGIONAL and DEPLOYMENT approvals of the regions it belongs
-- to (user_regions). Added in a migration of their own: PostgreSQL refuses to use a new enum
-- value in the transaction that added it, and the next migration's CHECK uses one.
ALTER TYPE user_role ADD VALUE 'GLOBAL_APPROVER';
ALTER TYPE user_role ADD VALUE 'REGIONAL_APPROVER';

-- migrate:down
-- PostgreSQL cannot drop an enum value; the down migration of user_regions removes every use.
SELECT 1;
