/*
 * Every database iiot owns (core/dbschema.h), for "iiotctl upgrade" and
 * the migration tests; apart from dbschema.c so that code using one
 * database links only its own schema.
 */
#include "core/dbschema.h"

const struct db_schema *const db_schemas[] = {
	&store_db_schema, &auth_db_schema, &audit_db_schema, &alerts_db_schema,
	&baseline_db_schema, &analytics_db_schema, &eval_db_schema,
	&desc_db_schema, NULL
};
