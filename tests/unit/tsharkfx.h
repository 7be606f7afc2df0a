/* tshark (Wireshark 4.0) from the tests, when installed: a private config dir with key tables, fields out. */
#ifndef IKE_TEST_TSHARKFX_H
#define IKE_TEST_TSHARKFX_H

#include <stdbool.h>
#include <stddef.h>

/* True when `tshark` runs; tests that need it skip otherwise (`make pcap-check` installs it). */
bool tsx_available(void);
/*
 * Runs `tshark -r pcap ARGS` with WIRESHARK_CONFIG_DIR=cfgdir (NULL: an empty temp profile) and the ESP
 * decryption and ICV-check preferences on; returns its stdout (caller frees), stderr into *err_out if
 * not NULL (caller frees). Paths and args must not contain single quotes. Fails the test if it cannot run.
 */
char *tsx_run(const char *cfgdir, const char *pcap, const char *args, char **err_out);
/* Lines of text that contain needle. */
size_t tsx_count_lines(const char *text, const char *needle);

#endif
