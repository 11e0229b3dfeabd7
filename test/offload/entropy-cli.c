/* Test driver for runtime/c/offload/entropy_codec.c: `entropy-cli encode|decode LANES IN OUT [EXPECTED]` codes or
   decodes a file and prints the status name (decode) or "ok" (encode) on stdout; exit 0 unless misused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "entropy_codec.h"

#define MAX_BYTES (1u << 22)

static uint8_t in[MAX_BYTES + TE_ENTROPY_OVERHEAD], out[MAX_BYTES + TE_ENTROPY_OVERHEAD];
static te_entropy_state state;

int main(int argc, char **argv) {
  FILE *f;
  uint32_t n, written;
  int lanes;
  if (argc < 5) return 2;
  lanes = atoi(argv[2]);
  f = fopen(argv[3], "rb");
  if (!f) return 2;
  n = (uint32_t)fread(in, 1, sizeof in, f);
  fclose(f);
  if (strcmp(argv[1], "encode") == 0) {
    int32_t r = te_entropy_encode(in, n, lanes, out, sizeof out, &state);
    if (r < 0) {
      printf("%s\n", te_entropy_status_name((te_entropy_status)r));
      return 0;
    }
    written = (uint32_t)r;
    printf("ok\n");
  } else {
    uint32_t expected = argc > 5 ? (uint32_t)strtoul(argv[5], NULL, 10) : 0;
    te_entropy_status s;
    if (expected > MAX_BYTES) return 2;
    s = te_entropy_decode(in, n, lanes, out, expected, &state);
    printf("%s\n", te_entropy_status_name(s));
    written = s == TE_ENTROPY_OK ? expected : 0;
  }
  f = fopen(argv[4], "wb");
  if (!f || fwrite(out, 1, written, f) != written) return 2;
  fclose(f);
  return 0;
}
