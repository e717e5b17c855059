/* rc.c — names and HTTP statuses of the result codes, from the table in rc.h. */
#include "rc.h"

#include <stdio.h>
#include <string.h>

const char *bo_rc_name(bo_rc rc) {
  switch (rc) {
#define BO__RC_NAME(sym, val, name, http) \
  case sym:                               \
    return name;
    BO_RC_TABLE(BO__RC_NAME)
#undef BO__RC_NAME
  }
  return "unknown";
}

int bo_rc_http_status(bo_rc rc) {
  switch (rc) {
#define BO__RC_HTTP(sym, val, name, http) \
  case sym:                               \
    return http;
    BO_RC_TABLE(BO__RC_HTTP)
#undef BO__RC_HTTP
  }
  return 500;
}

bo_rc bo_err_set(bo_err *err, bo_rc rc, const char *field, const char *fmt, ...) {
  if (err == NULL) return rc;
  err->rc = rc;
  snprintf(err->field, sizeof err->field, "%s", field ? field : "");
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
  return rc;
}
