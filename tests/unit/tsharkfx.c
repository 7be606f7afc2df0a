/* tshark as a child process for the capture tests (popen through sh; our own temp paths only). */
#include "tsharkfx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testfs.h"

bool tsx_available(void) { return system("tshark --version >/dev/null 2>&1") == 0; }

char *tsx_run(const char *cfgdir, const char *pcap, const char *args, char **err_out)
{
	tfs_dir empty, tmp;
	tfs_dir_make(&tmp, "tshark");
	if (!cfgdir)
		tfs_dir_make(&empty, "wsempty");
	char out[128], err[128], cmd[2048];
	tfs_dir_file(&tmp, "out", out, sizeof(out));
	tfs_dir_file(&tmp, "err", err, sizeof(err));
	int n = snprintf(cmd, sizeof(cmd),
			 "WIRESHARK_CONFIG_DIR='%s' tshark -r '%s' -o esp.enable_encryption_decode:TRUE "
			 "-o esp.enable_authentication_check:TRUE %s >'%s' 2>'%s'",
			 cfgdir ? cfgdir : empty.path, pcap, args, out, err);
	assert_true(n > 0 && (size_t)n < sizeof(cmd));
	int rc = system(cmd);
	char *o = tfs_must_read(out, NULL), *e = tfs_must_read(err, NULL);
	if (rc != 0)
		print_message("tshark exit %d: %s\n", rc, e);
	assert_int_equal(rc, 0);
	if (err_out)
		*err_out = e;
	else
		free(e);
	tfs_dir_remove(&tmp);
	if (!cfgdir)
		tfs_dir_remove(&empty);
	return o;
}

size_t tsx_count_lines(const char *text, const char *needle)
{
	size_t n = 0;
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *hit = strstr(p, needle);
		n += hit && hit < p + len;
		p = nl ? nl + 1 : NULL;
	}
	return n;
}
