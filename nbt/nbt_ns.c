#include <string.h>

#include "byteorder.h"
#include "nbt_ns.h"

/* Bits of the flags word that are NM_FLAGS (AA TC RD RA, two zeros, B). */
#define NM_FLAGS_MASK 0x07f0
#define RR_FIXED_LEN 10		/* TYPE, CLASS, TTL, RDLENGTH */
#define QUESTION_FIXED_LEN 4	/* QTYPE, QCLASS */
#define NB_ENTRY_LEN 6		/* NB_FLAGS, NB_ADDRESS */
#define STATUS_ENTRY_LEN 18	/* 16-byte name, NAME_FLAGS */
#define STATUS_UNIT_ID_LEN 6
/* What Windows and Samba send after the names: unit ID + 40 more bytes. */
#define STATUS_STATS_LEN 46
/* Pointer chains real senders use are one jump (0xC00C); 8 is plenty. */
#define MAX_POINTER_JUMPS 8

const char *nbt_ns_opcode_name(uint8_t opcode)
{
	switch (opcode) {
	case NBT_NS_OP_QUERY: return "QUERY";
	case NBT_NS_OP_REGISTRATION: return "REGISTRATION";
	case NBT_NS_OP_RELEASE: return "RELEASE";
	case NBT_NS_OP_WACK: return "WACK";
	case NBT_NS_OP_REFRESH: return "REFRESH";
	case NBT_NS_OP_REFRESH_ALT: return "REFRESH_ALT";
	case NBT_NS_OP_MULTIHOMED_REGISTRATION: return "MULTIHOMED_REGISTRATION";
	}
	return "UNKNOWN";
}

const char *nbt_ns_rcode_name(uint8_t rcode)
{
	switch (rcode) {
	case NBT_NS_RCODE_OK: return "OK";
	case NBT_NS_RCODE_FMT_ERR: return "FMT_ERR";
	case NBT_NS_RCODE_SRV_ERR: return "SRV_ERR";
	case NBT_NS_RCODE_NAM_ERR: return "NAM_ERR";
	case NBT_NS_RCODE_IMP_ERR: return "IMP_ERR";
	case NBT_NS_RCODE_RFS_ERR: return "RFS_ERR";
	case NBT_NS_RCODE_ACT_ERR: return "ACT_ERR";
	case NBT_NS_RCODE_CFT_ERR: return "CFT_ERR";
	}
	return "UNKNOWN";
}

/* ---- encode ---- */

/*
 * RDLENGTH the record will have, or CODEC_ERR_NS_BAD_RDATA when its
 * arrays are over the limits (checked first so nothing overflows).
 */
static enum codec_error rr_rdlength(const struct nbt_ns_rr *rr, size_t *len)
{
	switch (rr->type) {
	case NBT_NS_TYPE_NB:
		if (rr->num_addrs > NBT_NS_MAX_ADDRS)
			return CODEC_ERR_NS_BAD_RDATA;
		*len = rr->num_addrs * NB_ENTRY_LEN;
		return CODEC_OK;
	case NBT_NS_TYPE_NBSTAT:
		if (rr->num_names > NBT_NS_MAX_STATUS_NAMES)
			return CODEC_ERR_NS_BAD_RDATA;
		*len = 1 + rr->num_names * STATUS_ENTRY_LEN + STATUS_STATS_LEN;
		return CODEC_OK;
	}
	if (rr->rdlength > 0 && rr->rdata == NULL)
		return CODEC_ERR_INVALID_ARGUMENT;
	*len = rr->rdlength;
	return CODEC_OK;
}

static enum codec_error rr_encoded_len(const struct nbt_ns_rr *rr,
				       size_t *len)
{
	size_t rdlen;
	enum codec_error err = rr_rdlength(rr, &rdlen);

	if (err != CODEC_OK)
		return err;
	*len = nbt_name_encoded_len(&rr->name) + RR_FIXED_LEN + rdlen;
	return CODEC_OK;
}

static enum codec_error packet_len(const struct nbt_ns_packet *p,
				   size_t *len)
{
	const struct nbt_ns_rr *rrs[3] = { NULL, NULL, NULL };
	size_t total = NBT_NS_HEADER_LEN, n;
	enum codec_error err;

	if (p->has_question)
		total += nbt_name_encoded_len(&p->question_name) +
			 QUESTION_FIXED_LEN;
	if (p->has_answer)
		rrs[0] = &p->answer;
	if (p->has_authority)
		rrs[1] = &p->authority;
	if (p->has_additional)
		rrs[2] = &p->additional;
	for (size_t i = 0; i < 3; i++) {
		if (rrs[i] == NULL)
			continue;
		err = rr_encoded_len(rrs[i], &n);
		if (err != CODEC_OK)
			return err;
		total += n;
	}
	*len = total;
	return CODEC_OK;
}

/* 0 when the packet cannot be encoded (nbt_ns_encode says why). */
size_t nbt_ns_encoded_len(const struct nbt_ns_packet *p)
{
	size_t len;

	if (p == NULL || packet_len(p, &len) != CODEC_OK)
		return 0;
	return len;
}

/* buf has room: the caller checked the whole packet's length. */
static enum codec_error rr_encode(const struct nbt_ns_rr *rr, uint8_t *buf,
				  size_t buflen, size_t *used)
{
	size_t pos, rdlen;
	enum codec_error err;

	err = rr_rdlength(rr, &rdlen);
	if (err != CODEC_OK)
		return err;
	err = nbt_name_encode(&rr->name, buf, buflen, &pos);
	if (err != CODEC_OK)
		return err;
	put_be16(buf + pos, rr->type);
	put_be16(buf + pos + 2, rr->rr_class);
	put_be32(buf + pos + 4, rr->ttl);
	put_be16(buf + pos + 8, (uint16_t)rdlen);
	pos += RR_FIXED_LEN;

	switch (rr->type) {
	case NBT_NS_TYPE_NB:
		for (size_t i = 0; i < rr->num_addrs; i++) {
			put_be16(buf + pos, rr->addrs[i].nb_flags);
			put_be32(buf + pos + 2, rr->addrs[i].ip);
			pos += NB_ENTRY_LEN;
		}
		break;
	case NBT_NS_TYPE_NBSTAT:
		buf[pos++] = (uint8_t)rr->num_names;
		for (size_t i = 0; i < rr->num_names; i++) {
			memcpy(buf + pos, rr->names[i].raw, NBT_NAME_LEN);
			put_be16(buf + pos + NBT_NAME_LEN, rr->names[i].flags);
			pos += STATUS_ENTRY_LEN;
		}
		/* statistics: only the unit ID is kept, the rest is zero */
		memcpy(buf + pos, rr->unit_id, STATUS_UNIT_ID_LEN);
		memset(buf + pos + STATUS_UNIT_ID_LEN, 0,
		       STATUS_STATS_LEN - STATUS_UNIT_ID_LEN);
		pos += STATUS_STATS_LEN;
		break;
	default:
		if (rdlen > 0)
			memcpy(buf + pos, rr->rdata, rdlen);
		pos += rdlen;
		break;
	}
	*used = pos;
	return CODEC_OK;
}

enum codec_error nbt_ns_encode(const struct nbt_ns_packet *p, uint8_t *buf,
			       size_t buflen, size_t *used)
{
	const struct nbt_ns_rr *rrs[3];
	bool has[3];
	size_t need, pos, n;
	enum codec_error err;

	if (p == NULL || buf == NULL)
		return CODEC_ERR_INVALID_ARGUMENT;
	if (p->opcode > 0x0f || p->rcode > 0x0f ||
	    (p->nm_flags & ~NM_FLAGS_MASK) != 0)
		return CODEC_ERR_INVALID_ARGUMENT;
	err = packet_len(p, &need);
	if (err != CODEC_OK)
		return err;
	if (buflen < need)
		return CODEC_ERR_BUFFER_TOO_SMALL;

	put_be16(buf, p->id);
	put_be16(buf + 2, (uint16_t)((p->response ? 0x8000 : 0) |
				     p->opcode << 11 | p->nm_flags | p->rcode));
	put_be16(buf + 4, p->has_question ? 1 : 0);
	put_be16(buf + 6, p->has_answer ? 1 : 0);
	put_be16(buf + 8, p->has_authority ? 1 : 0);
	put_be16(buf + 10, p->has_additional ? 1 : 0);
	pos = NBT_NS_HEADER_LEN;

	if (p->has_question) {
		err = nbt_name_encode(&p->question_name, buf + pos,
				      buflen - pos, &n);
		if (err != CODEC_OK)
			return err;
		pos += n;
		put_be16(buf + pos, p->question_type);
		put_be16(buf + pos + 2, p->question_class);
		pos += QUESTION_FIXED_LEN;
	}

	rrs[0] = &p->answer;
	rrs[1] = &p->authority;
	rrs[2] = &p->additional;
	has[0] = p->has_answer;
	has[1] = p->has_authority;
	has[2] = p->has_additional;
	for (size_t i = 0; i < 3; i++) {
		if (!has[i])
			continue;
		err = rr_encode(rrs[i], buf + pos, buflen - pos, &n);
		if (err != CODEC_OK)
			return err;
		pos += n;
	}
	if (used != NULL)
		*used = pos;
	return CODEC_OK;
}

/* ---- decode ---- */

/*
 * A name at pkt[offset], which may be a label pointer (RFC 1002 §4.1,
 * RFC 1035 §4.1.4) to a full name earlier in the packet.  A pointer must
 * stand for the whole name: that is what Windows and Samba send (0xC00C),
 * and a pointer after the first label is refused by nbt_name_decode.
 * Only backward pointers are followed, so a chain cannot loop; the jump
 * count is bounded as well.  *consumed is the size at offset (2 for a
 * pointer).
 */
enum codec_error nbt_ns_name_decode(const uint8_t *pkt, size_t pkt_len,
				    size_t offset, struct nbt_name *n,
				    size_t *consumed)
{
	size_t pos = offset, used;
	enum codec_error err;

	if (pkt == NULL || n == NULL || offset > pkt_len)
		return CODEC_ERR_INVALID_ARGUMENT;
	for (size_t jumps = 0; jumps <= MAX_POINTER_JUMPS; jumps++) {
		size_t target;

		if (pos >= pkt_len)
			return CODEC_ERR_NAME_TRUNCATED;
		if ((pkt[pos] & 0xc0) != 0xc0) {
			err = nbt_name_decode(pkt + pos, pkt_len - pos, n,
					      &used);
			if (err != CODEC_OK)
				return err;
			if (consumed != NULL)
				*consumed = jumps == 0 ? used : 2;
			return CODEC_OK;
		}
		if (pos + 2 > pkt_len)
			return CODEC_ERR_NAME_TRUNCATED;
		target = (size_t)(get_be16(pkt + pos) & 0x3fff);
		if (target >= pos)
			return CODEC_ERR_NS_POINTER_LOOP;
		pos = target;
	}
	return CODEC_ERR_NS_POINTER_LOOP;
}

static enum codec_error nb_rdata_decode(const uint8_t *rd, size_t len,
					struct nbt_ns_rr *rr)
{
	if (len % NB_ENTRY_LEN != 0 || len / NB_ENTRY_LEN > NBT_NS_MAX_ADDRS)
		return CODEC_ERR_NS_BAD_RDATA;
	rr->num_addrs = len / NB_ENTRY_LEN;
	for (size_t i = 0; i < rr->num_addrs; i++) {
		rr->addrs[i].nb_flags = get_be16(rd + i * NB_ENTRY_LEN);
		rr->addrs[i].ip = get_be32(rd + i * NB_ENTRY_LEN + 2);
	}
	return CODEC_OK;
}

/* NUM_NAMES, the names, then statistics of at least the unit ID. */
static enum codec_error nbstat_rdata_decode(const uint8_t *rd, size_t len,
					    struct nbt_ns_rr *rr)
{
	size_t count, pos = 1;

	if (len < 1)
		return CODEC_ERR_NS_BAD_RDATA;
	count = rd[0];
	if (count > NBT_NS_MAX_STATUS_NAMES ||
	    len < 1 + count * STATUS_ENTRY_LEN + STATUS_UNIT_ID_LEN)
		return CODEC_ERR_NS_BAD_RDATA;
	rr->num_names = count;
	for (size_t i = 0; i < count; i++) {
		memcpy(rr->names[i].raw, rd + pos, NBT_NAME_LEN);
		rr->names[i].flags = get_be16(rd + pos + NBT_NAME_LEN);
		pos += STATUS_ENTRY_LEN;
	}
	memcpy(rr->unit_id, rd + pos, STATUS_UNIT_ID_LEN);
	return CODEC_OK;
}

static enum codec_error rr_decode(const uint8_t *buf, size_t len,
				  size_t *pos, struct nbt_ns_rr *rr)
{
	size_t n, at;
	enum codec_error err;

	err = nbt_ns_name_decode(buf, len, *pos, &rr->name, &n);
	if (err != CODEC_OK)
		return err;
	at = *pos + n;
	if (len - at < RR_FIXED_LEN)
		return CODEC_ERR_NS_TRUNCATED;
	rr->type = get_be16(buf + at);
	rr->rr_class = get_be16(buf + at + 2);
	rr->ttl = get_be32(buf + at + 4);
	rr->rdlength = get_be16(buf + at + 8);
	at += RR_FIXED_LEN;
	if (len - at < rr->rdlength)
		return CODEC_ERR_NS_TRUNCATED;
	/* the raw view is there for every type; NB and NBSTAT are parsed */
	rr->rdata = buf + at;
	if (rr->type == NBT_NS_TYPE_NB)
		err = nb_rdata_decode(rr->rdata, rr->rdlength, rr);
	else if (rr->type == NBT_NS_TYPE_NBSTAT)
		err = nbstat_rdata_decode(rr->rdata, rr->rdlength, rr);
	if (err != CODEC_OK)
		return err;
	*pos = at + rr->rdlength;
	return CODEC_OK;
}

enum codec_error nbt_ns_decode(const uint8_t *buf, size_t len,
			       struct nbt_ns_packet *p)
{
	uint16_t flags, counts[4];
	struct nbt_ns_rr *rrs[3];
	bool *has[3];
	size_t pos, n;
	enum codec_error err;

	if (buf == NULL || p == NULL)
		return CODEC_ERR_INVALID_ARGUMENT;
	memset(p, 0, sizeof(*p));
	if (len < NBT_NS_HEADER_LEN)
		return CODEC_ERR_NS_TRUNCATED;
	p->id = get_be16(buf);
	flags = get_be16(buf + 2);
	p->response = (flags & 0x8000) != 0;
	p->opcode = (uint8_t)((flags >> 11) & 0x0f);
	p->nm_flags = flags & NM_FLAGS_MASK;
	p->rcode = (uint8_t)(flags & 0x0f);
	for (size_t i = 0; i < 4; i++) {
		counts[i] = get_be16(buf + 4 + 2 * i);
		if (counts[i] > 1)
			return CODEC_ERR_NS_TOO_MANY_RECORDS;
	}
	pos = NBT_NS_HEADER_LEN;

	if (counts[0] == 1) {
		err = nbt_ns_name_decode(buf, len, pos, &p->question_name, &n);
		if (err != CODEC_OK)
			return err;
		pos += n;
		if (len - pos < QUESTION_FIXED_LEN)
			return CODEC_ERR_NS_TRUNCATED;
		p->question_type = get_be16(buf + pos);
		p->question_class = get_be16(buf + pos + 2);
		pos += QUESTION_FIXED_LEN;
		p->has_question = true;
	}

	rrs[0] = &p->answer;
	rrs[1] = &p->authority;
	rrs[2] = &p->additional;
	has[0] = &p->has_answer;
	has[1] = &p->has_authority;
	has[2] = &p->has_additional;
	for (size_t i = 0; i < 3; i++) {
		if (counts[i + 1] == 0)
			continue;
		err = rr_decode(buf, len, &pos, rrs[i]);
		if (err != CODEC_OK)
			return err;
		*has[i] = true;
	}
	if (pos != len)
		return CODEC_ERR_NS_TRAILING_BYTES;
	return CODEC_OK;
}

/* ---- builders ---- */

static void header_init(struct nbt_ns_packet *p, uint16_t id, bool response,
			uint8_t opcode, uint16_t nm_flags, uint8_t rcode)
{
	memset(p, 0, sizeof(*p));
	p->id = id;
	p->response = response;
	p->opcode = opcode;
	p->nm_flags = nm_flags;
	p->rcode = rcode;
}

static void question_set(struct nbt_ns_packet *p, const struct nbt_name *name,
			 uint16_t type)
{
	p->has_question = true;
	p->question_name = *name;
	p->question_type = type;
	p->question_class = NBT_NS_CLASS_IN;
}

static void rr_set_nb(struct nbt_ns_rr *rr, const struct nbt_name *name,
		      uint16_t nb_flags, uint32_t ip, uint32_t ttl)
{
	rr->name = *name;
	rr->type = NBT_NS_TYPE_NB;
	rr->rr_class = NBT_NS_CLASS_IN;
	rr->ttl = ttl;
	rr->num_addrs = 1;
	rr->addrs[0].nb_flags = nb_flags;
	rr->addrs[0].ip = ip;
}

/* RFC 1002 §4.2.12; RD set as Windows and Samba send it. */
void nbt_ns_build_query(struct nbt_ns_packet *p, uint16_t id,
			const struct nbt_name *name, bool broadcast)
{
	header_init(p, id, false, NBT_NS_OP_QUERY,
		    NBT_NS_NM_RD | (broadcast ? NBT_NS_NM_B : 0), 0);
	question_set(p, name, NBT_NS_TYPE_NB);
}

/* RFC 1002 §4.2.2: question + additional record with our address. */
void nbt_ns_build_registration(struct nbt_ns_packet *p, uint16_t id,
			       const struct nbt_name *name, uint16_t nb_flags,
			       uint32_t ip, uint32_t ttl, bool broadcast)
{
	header_init(p, id, false, NBT_NS_OP_REGISTRATION,
		    NBT_NS_NM_RD | (broadcast ? NBT_NS_NM_B : 0), 0);
	question_set(p, name, NBT_NS_TYPE_NB);
	p->has_additional = true;
	rr_set_nb(&p->additional, name, nb_flags, ip, ttl);
}

/* RFC 1002 §4.2.9: RD clear and TTL 0, as Samba's nmbd and Windows. */
void nbt_ns_build_release(struct nbt_ns_packet *p, uint16_t id,
			  const struct nbt_name *name, uint16_t nb_flags,
			  uint32_t ip, bool broadcast)
{
	header_init(p, id, false, NBT_NS_OP_RELEASE,
		    broadcast ? NBT_NS_NM_B : 0, 0);
	question_set(p, name, NBT_NS_TYPE_NB);
	p->has_additional = true;
	rr_set_nb(&p->additional, name, nb_flags, ip, 0);
}

/* RFC 1002 §4.2.4: unicast to the NBNS, RD clear (Samba's nmbd too). */
void nbt_ns_build_refresh(struct nbt_ns_packet *p, uint16_t id,
			  const struct nbt_name *name, uint16_t nb_flags,
			  uint32_t ip, uint32_t ttl)
{
	header_init(p, id, false, NBT_NS_OP_REFRESH, 0, 0);
	question_set(p, name, NBT_NS_TYPE_NB);
	p->has_additional = true;
	rr_set_nb(&p->additional, name, nb_flags, ip, ttl);
}

/*
 * RFC 1002 §4.2.13/§4.2.14.  RA stays clear: only an NBNS may set it
 * (§4.2.1.1).  The negative answer's record is type NULL, TTL 0, no data.
 */
void nbt_ns_build_query_response(struct nbt_ns_packet *p, uint16_t id,
				 const struct nbt_name *name, uint8_t rcode,
				 uint16_t nb_flags, uint32_t ip, uint32_t ttl)
{
	header_init(p, id, true, NBT_NS_OP_QUERY,
		    NBT_NS_NM_AA | NBT_NS_NM_RD, rcode);
	p->has_answer = true;
	if (rcode == NBT_NS_RCODE_OK) {
		rr_set_nb(&p->answer, name, nb_flags, ip, ttl);
		return;
	}
	p->answer.name = *name;
	p->answer.type = NBT_NS_TYPE_NULL;
	p->answer.rr_class = NBT_NS_CLASS_IN;
}

/* RFC 1002 §4.2.6 (and §4.2.5 for rcode 0): AA, RD and RA set. */
void nbt_ns_build_registration_response(struct nbt_ns_packet *p,
					uint16_t id,
					const struct nbt_name *name,
					uint8_t rcode, uint16_t nb_flags,
					uint32_t ip, uint32_t ttl)
{
	header_init(p, id, true, NBT_NS_OP_REGISTRATION,
		    NBT_NS_NM_AA | NBT_NS_NM_RD | NBT_NS_NM_RA, rcode);
	p->has_answer = true;
	rr_set_nb(&p->answer, name, nb_flags, ip, ttl);
}

/* RFC 1002 §4.2.17: no flags, as Samba's nmbd and Windows nbtstat. */
void nbt_ns_build_status_request(struct nbt_ns_packet *p, uint16_t id,
				 const struct nbt_name *name)
{
	header_init(p, id, false, NBT_NS_OP_QUERY, 0, 0);
	question_set(p, name, NBT_NS_TYPE_NBSTAT);
}

/*
 * RFC 1002 §4.2.18: AA only, TTL 0.  More than NBT_NS_MAX_STATUS_NAMES
 * names are not copied but counted, so encode refuses the packet instead
 * of silently answering with fewer names.
 */
void nbt_ns_build_status_response(struct nbt_ns_packet *p, uint16_t id,
				  const struct nbt_name *name,
				  const struct nbt_ns_status_name *names,
				  size_t num_names, const uint8_t unit_id[6])
{
	struct nbt_ns_rr *rr = &p->answer;

	header_init(p, id, true, NBT_NS_OP_QUERY, NBT_NS_NM_AA, 0);
	p->has_answer = true;
	rr->name = *name;
	rr->type = NBT_NS_TYPE_NBSTAT;
	rr->rr_class = NBT_NS_CLASS_IN;
	rr->num_names = num_names;
	if (num_names <= NBT_NS_MAX_STATUS_NAMES && num_names > 0)
		memcpy(rr->names, names, num_names * sizeof(names[0]));
	if (unit_id != NULL)
		memcpy(rr->unit_id, unit_id, STATUS_UNIT_ID_LEN);
}
