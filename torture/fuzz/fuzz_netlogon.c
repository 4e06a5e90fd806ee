/* NETLOGON payloads; decode -> encode -> decode stable when encodable. */
#include <stdlib.h>

#include "fuzz.h"
#include "netlogon/netlogon.h"

int fuzz_netlogon(const uint8_t *data, size_t size)
{
	static struct netlogon_msg m1, m2;
	uint8_t *b1 = NULL, *b2 = NULL;
	size_t len, used1, used2 = 0;

	if (netlogon_decode(data, size, &m1) != CODEC_OK)
		return 0;
	(void)netlogon_opcode_name(m1.opcode);
	len = netlogon_encoded_len(&m1);
	if (len == 0)
		return 0;
	b1 = malloc(len);
	b2 = malloc(len);
	fuzz_check(b1 != NULL && b2 != NULL, "netlogon: malloc");
	if (netlogon_encode(&m1, b1, len, &used1) != CODEC_OK)
		goto done;
	fuzz_check(used1 == len, "netlogon: encoded_len disagrees");
	fuzz_check(netlogon_decode(b1, used1, &m2) == CODEC_OK,
		   "netlogon: our encoding does not decode");
	fuzz_check(m1.opcode == m2.opcode && m1.nt_version == m2.nt_version,
		   "netlogon: round trip changed opcode or version");
	fuzz_check(netlogon_encoded_len(&m2) == len &&
		   netlogon_encode(&m2, b2, len, &used2) == CODEC_OK,
		   "netlogon: re-encode failed");
	fuzz_check_same(b1, used1, b2, used2, "netlogon: encoding not stable");
done:
	free(b1);
	free(b2);
	return 0;
}
