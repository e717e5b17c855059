/*
 * rc.h — the one result type of backorder.
 *
 * Every call that can fail returns a bo_rc: 0 for success, a negative code
 * otherwise. One X-macro table gives each code its name (the "code" of an
 * HTTP error body) and its HTTP status, so the mapping cannot drift.
 */
#ifndef BO_RC_H
#define BO_RC_H

#include <stdarg.h>

#include "limits.h"

/*      symbol              value  name                       http */
#define BO_RC_TABLE(X)                                                   \
  X(BO_OK,                    0, "ok",                         200)      \
  X(BO_E_NOMEM,              -1, "out_of_memory",              500)      \
  X(BO_E_MALFORMED,          -2, "malformed_request",          400)      \
  X(BO_E_INVALID,            -3, "invalid_value",              422)      \
  X(BO_E_UNAUTHORIZED,       -4, "unauthorized",               401)      \
  X(BO_E_FORBIDDEN,          -5, "forbidden",                  403)      \
  X(BO_E_NOT_FOUND,          -6, "not_found",                  404)      \
  X(BO_E_METHOD,             -7, "method_not_allowed",         405)      \
  X(BO_E_EXISTS,             -8, "already_exists",             409)      \
  X(BO_E_CONFLICT,           -9, "conflict",                   409)      \
  X(BO_E_OUT_OF_STOCK,      -10, "out_of_stock",               409)      \
  X(BO_E_LIMIT,             -11, "backorder_limit_reached",    409)      \
  X(BO_E_DISCONTINUED,      -12, "discontinued",               409)      \
  X(BO_E_TOO_LARGE,         -13, "body_too_large",             413)      \
  X(BO_E_STORE,             -14, "store_error",                500)      \
  X(BO_E_INTERNAL,          -15, "internal_error",             500)      \
  X(BO_E_UNAVAILABLE,       -16, "unavailable",                503)      \
  X(BO_E_IDEMPOTENCY,       -17, "idempotency_key_reused",     422)

typedef enum {
#define BO__RC_ENUM(sym, val, name, http) sym = val,
  BO_RC_TABLE(BO__RC_ENUM)
#undef BO__RC_ENUM
} bo_rc;

/* The stable name of rc ("not_found"); "unknown" for values not in the table. */
const char *bo_rc_name(bo_rc rc);
/* The HTTP status that answers rc; 500 for values not in the table. */
int bo_rc_http_status(bo_rc rc);

/*
 * An error with its detail: the code, a lower-case message naming the
 * offending value, and the request field it concerns ("" when none).
 */
typedef struct bo_err {
  bo_rc rc;
  char field[96];
  char message[BO_ERR_MESSAGE_LEN_MAX];
} bo_err;

/* Fills err (when not NULL) and returns rc, so callers can `return bo_err_set(...)`. */
bo_rc bo_err_set(bo_err *err, bo_rc rc, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
