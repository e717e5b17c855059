/*
 * date.c — proleptic Gregorian conversions (H. Hinnant's days_from_civil),
 * strict parsers and formatters for the API's date and time forms.
 */
#include "date.h"

#include <stdio.h>
#include <string.h>

#include "limits.h"

bo_day bo_day_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (bo_day)(era * 146097 + doe - 719468);
}

void bo_day_to_civil(bo_day z0, int *year, int *month, int *day) {
  const int z = z0 + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const int doe = z - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  const int d = doy - (153 * mp + 2) / 5 + 1;
  const int m = mp + (mp < 10 ? 3 : -9);
  *year = yoe + era * 400 + (m <= 2);
  *month = m;
  *day = d;
}

bo_day bo_day_of(int64_t t) {
  int64_t d = t / BO_SECONDS_PER_DAY;
  if (t % BO_SECONDS_PER_DAY < 0) d--;
  return (bo_day)d;
}

static bool digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

static int days_in_month(int y, int m) {
  static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : dim[m - 1];
}

/* Parses the 10 leading characters "YYYY-MM-DD" of s. */
static bool parse_ymd(const char *s, bo_day *out) {
  int y, m, d;
  if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' ||
      !digits(s + 8, 2, &d))
    return false;
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return false;
  const bo_day day = bo_day_from_civil(y, m, d);
  if (day < BO_DAY_MIN || day > BO_DAY_MAX) return false;
  *out = day;
  return true;
}

bool bo_day_parse(const char *s, bo_day *out) {
  if (s == NULL || strlen(s) != 10) return false;
  return parse_ymd(s, out);
}

/* Writes v (0 <= v < 10^width) as `width` digits. */
static char *put_digits(char *p, int v, int width) {
  for (int i = width - 1; i >= 0; i--, v /= 10) p[i] = (char)('0' + v % 10);
  return p + width;
}

char *bo_day_format(bo_day d, char buf[static 11]) {
  int y, m, dd;
  bo_day_to_civil(d, &y, &m, &dd);
  char *p = put_digits(buf, ((y % 10000) + 10000) % 10000, 4);
  *p++ = '-';
  p = put_digits(p, m, 2);
  *p++ = '-';
  p = put_digits(p, dd, 2);
  *p = '\0';
  return buf;
}

char *bo_day_format_human(bo_day d, char buf[static 16]) {
  static const char *const names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int y, m, dd;
  bo_day_to_civil(d, &y, &m, &dd);
  snprintf(buf, 16, "%d %s %d", dd % 100, names[(m - 1) % 12], ((y % 10000) + 10000) % 10000);
  return buf;
}

bool bo_time_parse(const char *s, int64_t *out) {
  if (s == NULL || strlen(s) < 20) return false;
  bo_day day;
  int hh, mm, ss;
  if (!parse_ymd(s, &day) || (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2, &hh) ||
      s[13] != ':' || !digits(s + 14, 2, &mm) || s[16] != ':' || !digits(s + 17, 2, &ss))
    return false;
  if (hh > 23 || mm > 59 || ss > 59) return false;
  const char *p = s + 19;
  if (*p == '.') {
    p++;
    if (*p < '0' || *p > '9') return false;
    while (*p >= '0' && *p <= '9') p++;
  }
  if (!(strcmp(p, "Z") == 0 || strcmp(p, "z") == 0 || strcmp(p, "+00:00") == 0)) return false;
  *out = (int64_t)day * BO_SECONDS_PER_DAY + hh * 3600 + mm * 60 + ss;
  return true;
}

char *bo_time_format(int64_t t, char buf[static 21]) {
  const bo_day day = bo_day_of(t);
  const int64_t sec = t - (int64_t)day * BO_SECONDS_PER_DAY;
  char *p = bo_day_format(day, buf) + 10;
  *p++ = 'T';
  p = put_digits(p, (int)(sec / 3600), 2);
  *p++ = ':';
  p = put_digits(p, (int)(sec / 60 % 60), 2);
  *p++ = ':';
  p = put_digits(p, (int)(sec % 60), 2);
  *p++ = 'Z';
  *p = '\0';
  return buf;
}
