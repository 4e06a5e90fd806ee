/*
 * fuzz_seeds OUT SOURCE...: seed corpora for every target from capture
 * files (.pcap, .pcapng, .cap; directories searched two levels deep) and
 * smb.conf files (.conf).  Each UDP 137/138 frame gives seeds for the
 * layers it holds: OUT/frame, nbt_dgram, nbt_name, nbt_ns, nbt_frag,
 * smb_mailslot, browser, messenger, netlogon, config.  A seed is named by
 * a hash of its bytes, so running again adds nothing twice.
 */
#include <dirent.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "nbt/nbt_dgram.h"
#include "smb/smb_mailslot.h"
#include "tools/pcap_frame.h"

#define MAX_FRAMES_PER_FILE 5000	/* captures can be large */
#define SEQ_MAX 16384			/* bytes of one sequence seed */

static const char *out_dir;
static unsigned long written;

static const char *const targets[] = {
	"frame", "nbt_dgram", "nbt_name", "nbt_ns", "nbt_frag",
	"smb_mailslot", "browser", "messenger", "netlogon", "config",
	"decode", NULL
};

static void seed(const char *target, const uint8_t *a, size_t alen,
		 const uint8_t *b, size_t blen)
{
	uint64_t h = 14695981039346656037ull;
	char path[4096];
	FILE *f;

	for (size_t i = 0; i < alen; i++)
		h = (h ^ a[i]) * 1099511628211ull;
	for (size_t i = 0; i < blen; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	snprintf(path, sizeof(path), "%s/%s/seed-%016llx", out_dir, target,
		 (unsigned long long)h);
	f = fopen(path, "wbx");
	if (f == NULL)
		return; /* there already */
	if (alen > 0)
		fwrite(a, 1, alen, f);
	if (blen > 0)
		fwrite(b, 1, blen, f);
	fclose(f);
	written++;
}

/* [length u16 BE][step][bytes] (frag) or [length u16 BE][bytes] (frame) */
static void seq_add(uint8_t *seq, size_t *seq_len, const uint8_t *p,
		    size_t len, bool with_step)
{
	size_t head = with_step ? 3 : 2;

	if (*seq_len + head + len > SEQ_MAX)
		return;
	seq[(*seq_len)++] = (uint8_t)(len >> 8);
	seq[(*seq_len)++] = (uint8_t)len;
	if (with_step)
		seq[(*seq_len)++] = 1;
	memcpy(seq + *seq_len, p, len);
	*seq_len += len;
}

static void mailslot_payload(const struct smb_mailslot_write *w)
{
	static const uint8_t browse = 0, lanman = 1;

	if (strncasecmp(w->name, "\\MAILSLOT\\BROWSE", w->name_len) == 0)
		seed("browser", &browse, 1, w->data, w->data_len);
	else if (strncasecmp(w->name, "\\MAILSLOT\\LANMAN", w->name_len) == 0)
		seed("browser", &lanman, 1, w->data, w->data_len);
	else if (strncasecmp(w->name, "\\MAILSLOT\\MESSNGR", w->name_len) == 0)
		seed("messenger", NULL, 0, w->data, w->data_len);
	else if (strcasestr(w->name, "LOGON") != NULL)
		seed("netlogon", NULL, 0, w->data, w->data_len);
}

static void one_capture(const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(path, err);
	static uint8_t frames[SEQ_MAX], frags[SEQ_MAX];
	size_t frames_len = 0, frags_len = 1;
	struct pcap_pkthdr *hdr;
	const u_char *frame;
	static const uint8_t json_ether = 2 << 2;
	bool ether;

	if (pc == NULL)
		return;
	frags[0] = 0; /* default limits */
	for (int i = 0; i < MAX_FRAMES_PER_FILE &&
			pcap_next_ex(pc, &hdr, &frame) == 1; i++) {
		struct udp_endpoints ep;
		const uint8_t *p;
		size_t len;
		struct nbt_dgram d;
		struct smb_mailslot_write w;
		uint8_t head[2] = { (uint8_t)(hdr->caplen >> 8),
				    (uint8_t)hdr->caplen };

		if (!pcap_frame_udp_payload(frame, hdr->caplen, &ep, &p, &len))
			continue;
		if (ep.dst_port == 137 || ep.src_port == 137) {
			seed("nbt_ns", NULL, 0, p, len);
			if (len > 12)
				seed("nbt_name", NULL, 0, p + 12, len - 12);
		} else if (ep.dst_port != 138 && ep.src_port != 138) {
			continue;
		}
		seed("frame", head, 2, frame, hdr->caplen);
		/* decode: Ethernet, summary / tree / JSON in turn */
		if (pcap_datalink(pc) == DLT_EN10MB) {
			uint8_t dhead[3] = { (uint8_t)((i % 3) << 2), head[0],
					     head[1] };
			seed("decode", dhead, 3, frame, hdr->caplen);
		}
		seq_add(frames, &frames_len, frame, hdr->caplen, false);
		if (ep.dst_port != 138 && ep.src_port != 138)
			continue;
		seed("nbt_dgram", NULL, 0, p, len);
		if (len > 14)
			seed("nbt_name", NULL, 0, p + 14, len - 14);
		if (nbt_dgram_decode(p, len, &d) != CODEC_OK ||
		    !nbt_dgram_type_is_data(d.type))
			continue;
		if (nbt_dgram_is_fragment(&d))
			seq_add(frags, &frags_len, p, len, true);
		if (smb_mailslot_decode(d.user_data, d.user_data_len, &w) !=
		    CODEC_OK)
			continue;
		seed("smb_mailslot", NULL, 0, d.user_data, d.user_data_len);
		mailslot_payload(&w);
	}
	ether = pcap_datalink(pc) == DLT_EN10MB;
	pcap_close(pc);
	if (frames_len > 0)
		seed("frame", NULL, 0, frames, frames_len);
	if (frames_len > 0 && ether)
		seed("decode", &json_ether, 1, frames, frames_len);
	if (frags_len > 1)
		seed("nbt_frag", NULL, 0, frags, frags_len);
}

static void copy_file(const char *target, const char *path)
{
	uint8_t buf[65536];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	seed(target, NULL, 0, buf, n);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void walk(const char *path, int depth)
{
	struct stat st;
	DIR *dir;
	struct dirent *e;

	if (stat(path, &st) != 0)
		return;
	if (S_ISREG(st.st_mode)) {
		if (ends_with(path, ".pcap") || ends_with(path, ".pcapng") ||
		    ends_with(path, ".cap"))
			one_capture(path);
		else if (ends_with(path, ".conf"))
			copy_file("config", path);
		return;
	}
	if (!S_ISDIR(st.st_mode) || depth > 2)
		return;
	dir = opendir(path);
	if (dir == NULL)
		return;
	while ((e = readdir(dir)) != NULL) {
		char sub[4096];
		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		walk(sub, depth + 1);
	}
	closedir(dir);
}

/* What the captures cannot give: mailslotd's own settings. */
static void config_seeds(void)
{
	static const char *const confs[] = {
		"[global]\n\tnetbios name = MSLOT\n\tworkgroup = CORP\n"
		"\tinterfaces = 127.0.0.1/8 10.0.0.1/255.255.255.0\n"
		"\tbind interfaces only = yes\n\twins server = 10.0.0.2\n"
		"\tname resolve order = bcast wins\n",
		"[global]\nmailslot datagram port = 1138\nmailslot name port = "
		"1137\nmailslot name service = no\nmailslot runtime dir = "
		"/tmp/x\nmailslot user = nobody\nmailslot queue messages = "
		"16\n",
		"[global]\nmailslot allow = 127.0.0.1 10.0.0.0/8 "
		"192.168.1.0/255.255.255.0\nmailslot reassembly pending = 4\n"
		"mailslot reassembly bytes = 9000\nmailslot reassembly "
		"timeout = 100\nmailslot name ttl = 60\n",
		"; comment\n# comment\n[homes]\nx = y\n[global]\n  netbios "
		"name=a\n",
		NULL
	};

	for (size_t i = 0; confs[i] != NULL; i++)
		seed("config", NULL, 0, (const uint8_t *)confs[i],
		     strlen(confs[i]));
}

int main(int argc, char **argv)
{
	char path[4096];

	if (argc < 2) {
		fprintf(stderr, "usage: fuzz_seeds OUT [SOURCE...]\n");
		return 2;
	}
	out_dir = argv[1];
	if (mkdir(out_dir, 0755) != 0 && errno != EEXIST) {
		perror(out_dir);
		return 1;
	}
	for (size_t i = 0; targets[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/%s", out_dir, targets[i]);
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			perror(path);
			return 1;
		}
	}
	config_seeds();
	for (int i = 2; i < argc; i++)
		walk(argv[i], 0);
	printf("fuzz_seeds: %lu new seeds in %s\n", written, out_dir);
	return 0;
}
