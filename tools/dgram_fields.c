#include <stdio.h>

#include "dgram_fields.h"
#include "field_text.h"

const char *const dgram_field_names[] = {
	"nbdgm.type", "nbdgm.flags", "nbdgm.next", "nbdgm.first",
	"nbdgm.node_type", "nbdgm.dgram_id", "nbdgm.src.ip",
	"nbdgm.src.port", "nbdgm.dgram_len", "nbdgm.pkt_offset",
	"nbdgm.source_name", "nbdgm.destination_name", "nbdgm.error_code",
	"smb.cmd", "smb.flags", "smb.flags2", "smb.pid.high", "smb.tid",
	"smb.pid", "smb.uid", "smb.mid", "smb.wct", "smb.tpc", "smb.tdc",
	"smb.mpc", "smb.mdc", "smb.msc", "smb.transaction.flags",
	"smb.timeout", "smb.pc", "smb.po", "smb.dc", "smb.data_offset",
	"smb.sc", "smb.bcc", "smb.trans_name", "mailslot.opcode",
	"mailslot.priority", "mailslot.class", "mailslot.size",
	"mailslot.name",
	NULL,
};

static void emit_u(dgram_field_fn fn, void *priv, const char *field,
		   unsigned long v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lu", v);
	fn(priv, field, buf);
}

static void emit_hex(dgram_field_fn fn, void *priv, const char *field,
		     unsigned long v, int digits)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "0x%0*lx", digits, v);
	fn(priv, field, buf);
}

static void emit_name(dgram_field_fn fn, void *priv, const char *field,
		      const struct nbt_name *n)
{
	char buf[NBT_NAME_TEXT_MAX];
	nbt_name_format(n, buf, sizeof(buf));
	fn(priv, field, buf);
}

static void emit_smb(const struct smb_mailslot_write *w, dgram_field_fn fn,
		     void *priv)
{
	char name[SMB_MAILSLOT_SMB_LIMIT * 4];

	emit_hex(fn, priv, "smb.cmd", 0x25, 2);
	emit_hex(fn, priv, "smb.flags", w->flags, 2);
	emit_hex(fn, priv, "smb.flags2", w->flags2, 4);
	emit_u(fn, priv, "smb.pid.high", w->pid_high);
	emit_u(fn, priv, "smb.tid", w->tid);
	emit_u(fn, priv, "smb.pid", w->pid);
	emit_u(fn, priv, "smb.uid", w->uid);
	emit_u(fn, priv, "smb.mid", w->mid);
	emit_u(fn, priv, "smb.wct", 17);
	emit_u(fn, priv, "smb.tpc", w->wire.total_param_count);
	emit_u(fn, priv, "smb.tdc", w->wire.total_data_count);
	emit_u(fn, priv, "smb.mpc", w->max_param_count);
	emit_u(fn, priv, "smb.mdc", w->wire.max_data_count);
	emit_u(fn, priv, "smb.msc", w->wire.max_setup_count);
	emit_hex(fn, priv, "smb.transaction.flags", w->trans_flags, 4);
	emit_u(fn, priv, "smb.timeout", w->timeout_ms);
	emit_u(fn, priv, "smb.pc", w->wire.param_count);
	emit_u(fn, priv, "smb.po", w->wire.param_offset);
	emit_u(fn, priv, "smb.dc", w->wire.data_count);
	emit_u(fn, priv, "smb.data_offset", w->wire.data_offset);
	emit_u(fn, priv, "smb.sc", 3);
	emit_u(fn, priv, "smb.bcc", w->wire.byte_count);

	/* Names are OEM bytes; show them as tshark does for ASCII. */
	field_text_escape(name, sizeof(name), w->name, w->name_len, 0);
	fn(priv, "smb.trans_name", name);
	emit_u(fn, priv, "mailslot.opcode", 1);
	emit_u(fn, priv, "mailslot.priority", w->priority);
	emit_u(fn, priv, "mailslot.class", w->mailslot_class);
	emit_u(fn, priv, "mailslot.size", w->wire.byte_count);
	fn(priv, "mailslot.name", name);
}

void dgram_fields_emit(const struct nbt_dgram *d,
		       const struct smb_mailslot_write *w,
		       dgram_field_fn fn, void *priv)
{
	char ip[16];

	emit_u(fn, priv, "nbdgm.type", d->type);
	emit_hex(fn, priv, "nbdgm.flags", d->flags, 2);
	emit_u(fn, priv, "nbdgm.next", d->flags & NBT_DGRAM_FLAG_MORE ? 1 : 0);
	emit_u(fn, priv, "nbdgm.first",
	       d->flags & NBT_DGRAM_FLAG_FIRST ? 1 : 0);
	emit_u(fn, priv, "nbdgm.node_type",
	       (d->flags & NBT_DGRAM_NODE_MASK) >> 2);
	emit_hex(fn, priv, "nbdgm.dgram_id", d->id, 4);
	snprintf(ip, sizeof(ip), "%u.%u.%u.%u", d->src_ip >> 24,
		 (d->src_ip >> 16) & 0xff, (d->src_ip >> 8) & 0xff,
		 d->src_ip & 0xff);
	fn(priv, "nbdgm.src.ip", ip);
	emit_u(fn, priv, "nbdgm.src.port", d->src_port);

	if (d->type == NBT_DGRAM_ERROR) {
		emit_hex(fn, priv, "nbdgm.error_code", d->error_code, 2);
		return;
	}
	if (!nbt_dgram_type_is_data(d->type)) {
		emit_name(fn, priv, "nbdgm.destination_name", &d->dest);
		return;
	}
	emit_u(fn, priv, "nbdgm.dgram_len", d->dgm_length);
	emit_u(fn, priv, "nbdgm.pkt_offset", d->packet_offset);
	emit_name(fn, priv, "nbdgm.source_name", &d->source);
	emit_name(fn, priv, "nbdgm.destination_name", &d->dest);
	if (w != NULL)
		emit_smb(w, fn, priv);
}

void dgram_field_list_add(void *priv, const char *field, const char *value)
{
	struct dgram_field_list *l = priv;

	if (l->n == DGRAM_FIELDS_MAX)
		return;
	l->names[l->n] = field;
	snprintf(l->values[l->n], sizeof(l->values[l->n]), "%s", value);
	l->n++;
}
