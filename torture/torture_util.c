#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <pcap/pcap.h>

#include "torture_util.h"

const char *const torture_shared_vector_files[] = {
	"00_ms_mail_example.pcap", "01_host_announcement_browse.pcap",
	"02_direct_unique_test_300.pcap", "03_two_fragment_datagram.pcap",
	"03b_two_fragment_reassembled.pcap", "04_netlogon_primary_query.pcap",
	"05_messenger_net_send.pcap", "06_netlogon_replies.pcap",
	"07_browser_all_opcodes.pcap", "08_nbt_corner_cases.pcap",
	"09_padding_variants.pcap", "10_size_limit.pcap",
	NULL,
};

const char *torture_shared_vectors(TALLOC_CTX *mem_ctx)
{
	const char *shared = getenv("MAILSLOT_SHARED_DIR");
	struct stat st;
	char *dir;

	if (shared == NULL)
		shared = "../shared";
	dir = talloc_asprintf(mem_ctx, "%s/vectors", shared);
	if (dir == NULL || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return dir;
}

const char *torture_source_path(TALLOC_CTX *mem_ctx, const char *rel)
{
	const char *src = getenv("MAILSLOT_SOURCE_DIR");

	return talloc_asprintf(mem_ctx, "%s/%s", src ? src : ".", rel);
}

uint32_t torture_rng(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

uint8_t *torture_hex_decode(TALLOC_CTX *mem_ctx, const char *hex,
			    size_t *len)
{
	uint8_t *out = talloc_array(mem_ctx, uint8_t, strlen(hex) / 2 + 1);
	size_t n = 0;
	int hi = -1;

	for (const char *p = hex; out != NULL && *p != '\0'; p++) {
		int v;
		if (*p == ' ' || *p == '\n' || *p == '\t')
			continue;
		v = hex_nibble(*p);
		if (v < 0) {
			talloc_free(out);
			return NULL;
		}
		if (hi < 0) {
			hi = v;
		} else {
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0) {
		talloc_free(out);
		return NULL;
	}
	*len = n;
	return out;
}

struct pcap_udp_packet *torture_pcap_load(TALLOC_CTX *mem_ctx,
					  const char *path, size_t *count)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	struct pcap_udp_packet *p = NULL;

	if (pcap_file_read_udp(mem_ctx, path, &p, count, err) != 0)
		fail_msg("cannot read %s: %s", path, err);
	return p;
}

static int tmpdir_destructor(char *dir)
{
	char *cmd = talloc_asprintf(NULL, "rm -rf '%s'", dir);
	if (cmd != NULL && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	talloc_free(cmd);
	return 0;
}

const char *torture_tmpdir(TALLOC_CTX *mem_ctx)
{
	const char *base = getenv("TMPDIR");
	char *dir = talloc_asprintf(mem_ctx, "%s/mailslot-test-XXXXXX",
				    base ? base : "/tmp");

	if (dir == NULL || mkdtemp(dir) == NULL)
		fail_msg("mkdtemp failed");
	/* MAILSLOT_TEST_KEEP=1 keeps the files for a post-mortem */
	if (getenv("MAILSLOT_TEST_KEEP") == NULL)
		talloc_set_destructor(dir, tmpdir_destructor);
	else
		print_message("keeping %s\n", dir);
	return dir;
}
