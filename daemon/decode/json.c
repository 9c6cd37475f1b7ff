/*
 * The JSON form of a decoded frame, as `iiotctl decode` prints it and the
 * API serves it (docs/decode.md).  Off the hot path: it allocates.
 */
#include <jansson.h>
#include <stdio.h>

#include "decode_int.h"

static void set_int(json_t *o, const char *k, long long v)
{
	json_object_set_new(o, k, json_integer(v));
}

static void set_str(json_t *o, const char *k, const char *v)
{
	json_object_set_new(o, k, json_string(v));
}

/* Frame bytes as a string: escaped (wire_str), never rejected. */
static void set_bytes_str(json_t *o, const char *k, const uint8_t *s,
			  uint16_t len)
{
	char buf[256 * 4 + 1];

	wire_str(buf, sizeof(buf), s, len);
	set_str(o, k, buf);
}

static void set_mac(json_t *o, const char *k, const uint8_t *m)
{
	char buf[18];

	snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", m[0],
		 m[1], m[2], m[3], m[4], m[5]);
	set_str(o, k, buf);
}

static void set_ip(json_t *o, const char *k, uint32_t ip)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255,
		 (ip >> 8) & 255, ip & 255);
	set_str(o, k, buf);
}

static void set_uuid(json_t *o, const char *k, const uint8_t *u)
{
	char buf[37];

	snprintf(buf, sizeof(buf),
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
	set_str(o, k, buf);
}

static const char *reg_name(unsigned int kind)
{
	static const char *const names[] = {
		[ECAT_REG_TYPE] = "type",
		[ECAT_REG_STATION_ADDR] = "station_addr",
		[ECAT_REG_STATION_ALIAS] = "station_alias",
		[ECAT_REG_DL_STATUS] = "dl_status",
		[ECAT_REG_AL_CONTROL] = "al_control",
		[ECAT_REG_AL_STATUS] = "al_status",
		[ECAT_REG_AL_STATUS_CODE] = "al_status_code",
		[ECAT_REG_RX_ERR] = "rx_err",
		[ECAT_REG_FWD_RX_ERR] = "fwd_rx_err",
		[ECAT_REG_LOST_LINK] = "lost_link",
		[ECAT_REG_SII_CONTROL] = "sii_control",
		[ECAT_REG_SII_ADDR] = "sii_addr",
		[ECAT_REG_SII_DATA] = "sii_data",
		[ECAT_REG_DL_LOOP] = "dl_loop",
	};

	return kind < sizeof(names) / sizeof(names[0]) && names[kind] ?
	       names[kind] : "?";
}

static const char *mbx_type_name(unsigned int t)
{
	switch (t) {
	case ECAT_MBX_ERR: return "err";
	case ECAT_MBX_AOE: return "aoe";
	case ECAT_MBX_EOE: return "eoe";
	case ECAT_MBX_COE: return "coe";
	case ECAT_MBX_FOE: return "foe";
	case ECAT_MBX_SOE: return "soe";
	case ECAT_MBX_VOE: return "voe";
	default: return "?";
	}
}

static const char *sdo_op_name(unsigned int op)
{
	static const char *const names[] = {
		"none", "download", "download_segment", "upload",
		"upload_segment", "abort",
	};

	return op < sizeof(names) / sizeof(names[0]) ? names[op] : "?";
}

static json_t *dgram_json(const struct decode_ecat_dgram *g)
{
	json_t *o = json_object();

	set_int(o, "cmd", g->cmd);
	set_str(o, "op", ecat_cmd_name(g->cmd));
	set_int(o, "idx", g->idx);
	if (ecat_cmd_is_logical(g->cmd)) {
		set_int(o, "lad", g->lad);
	} else {
		set_int(o, "adp", g->adp);
		set_int(o, "ado", g->ado);
	}
	set_int(o, "len", g->len);
	if (g->circulating)
		json_object_set_new(o, "circulating", json_true());
	set_int(o, "irq", g->irq);
	set_int(o, "wkc", g->wkc);
	return o;
}

static void coe_json(json_t *o, const struct decode_ecat_mbx *m)
{
	set_int(o, "coe_service", m->coe_service);
	switch (m->coe_service) {
	case COE_SDO_REQ:
	case COE_SDO_RES:
		set_str(o, "sdo", sdo_op_name(m->sdo_op));
		if (m->sdo_op == SDO_OP_DOWNLOAD_SEG ||
		    m->sdo_op == SDO_OP_UPLOAD_SEG || m->sdo_op == SDO_OP_NONE)
			break;
		set_int(o, "index", m->sdo_index);
		set_int(o, "subindex", m->sdo_subindex);
		if (m->sdo_op == SDO_OP_ABORT) {
			set_int(o, "abort_code", m->sdo_abort);
			break;
		}
		if (m->sdo_expedited)
			set_int(o, "value", m->sdo_value);
		set_int(o, "size", m->sdo_size);
		break;
	case COE_EMERGENCY:
		set_int(o, "error_code", m->emcy_code);
		set_int(o, "error_register", m->emcy_reg);
		break;
	case COE_SDO_INFO:
		set_int(o, "info_opcode", m->sdo_info_op);
		break;
	default:
		set_int(o, "number", m->coe_number);
	}
}

static json_t *mbx_json(const struct decode_ecat_mbx *m)
{
	json_t *o = json_object();

	set_int(o, "dgram", m->dgram);
	set_str(o, "type", mbx_type_name(m->type));
	set_int(o, "length", m->length);
	set_int(o, "address", m->address);
	set_int(o, "counter", m->counter);
	switch (m->type) {
	case ECAT_MBX_COE:
		coe_json(o, m);
		break;
	case ECAT_MBX_EOE:
		set_int(o, "eoe_type", m->eoe_type);
		set_int(o, "eoe_port", m->eoe_port);
		set_int(o, "eoe_fragment", m->eoe_fragment);
		json_object_set_new(o, "eoe_last", json_boolean(m->eoe_last));
		break;
	case ECAT_MBX_FOE:
		set_int(o, "foe_op", m->foe_op);
		set_int(o, "foe_arg", m->foe_arg);
		if (m->foe_name)
			set_bytes_str(o, "foe_name", m->foe_name,
				      m->foe_name_len > 255 ? 255 :
				      m->foe_name_len);
		break;
	}
	return o;
}

static json_t *ecat_json(const struct decode_ecat *e)
{
	json_t *o = json_object(), *a = json_array(), *r;
	unsigned int i;

	for (i = 0; i < e->ndgram; i++)
		json_array_append_new(a, dgram_json(&e->dgram[i]));
	json_object_set_new(o, "datagrams", a);
	if (e->over_udp)
		json_object_set_new(o, "udp", json_true());
	if (e->nmbx) {
		json_object_set_new(o, "mailbox", mbx_json(&e->mbx[0]));
		if (e->nmbx > 1) {
			a = json_array();
			for (i = 1; i < e->nmbx; i++)
				json_array_append_new(a, mbx_json(&e->mbx[i]));
			json_object_set_new(o, "mailbox_more", a);
		}
	}
	if (!e->nreg)
		return o;
	a = json_array();
	for (i = 0; i < e->nreg; i++) {
		const struct decode_ecat_reg *g = &e->reg[i];

		r = json_object();
		set_int(r, "dgram", g->dgram);
		set_str(r, "reg", reg_name(g->kind));
		set_int(r, "addr", g->reg);
		if (g->kind == ECAT_REG_RX_ERR ||
		    g->kind == ECAT_REG_FWD_RX_ERR ||
		    g->kind == ECAT_REG_LOST_LINK)
			set_int(r, "port", g->port);
		set_int(r, "value", g->value);
		if (g->write)
			json_object_set_new(r, "write", json_true());
		json_array_append_new(a, r);
	}
	json_object_set_new(o, "regs", a);
	return o;
}

static json_t *pn_json(const struct decode_pn *pn)
{
	json_t *o = json_object();

	set_int(o, "frame_id", pn->frame_id);
	set_str(o, "class", pn_class_name(pn->class));
	if (pn->has_status) {
		set_int(o, "cycle_counter", pn->cycle_counter);
		set_int(o, "data_status", pn->data_status);
		set_int(o, "transfer_status", pn->transfer_status);
		set_int(o, "payload_len", pn->payload_len);
	}
	if (pn->class == PN_CLASS_FRAG) {
		set_int(o, "frag_len", pn->frag_len);
		set_int(o, "frag_no", pn->frag_no);
		json_object_set_new(o, "frag_last", json_boolean(pn->frag_last));
	}
	return o;
}

static json_t *dcp_json(const struct decode_dcp *c)
{
	json_t *o = json_object(), *a = json_array();
	unsigned int i;

	set_int(o, "service_id", c->service_id);
	set_int(o, "service_type", c->service_type);
	set_int(o, "xid", c->xid);
	if (c->service_id == DCP_IDENTIFY && c->service_type == 0)
		set_int(o, "response_delay", c->response_delay);
	if (c->fields & DCP_F_NAME)
		set_bytes_str(o, "name_of_station", c->name_of_station,
			      c->name_len);
	if (c->fields & DCP_F_TYPE)
		set_bytes_str(o, "type_of_station", c->type_of_station,
			      c->type_len);
	if (c->fields & DCP_F_ALIAS)
		set_bytes_str(o, "alias", c->alias, c->alias_len);
	if (c->fields & DCP_F_VENDOR) {
		set_int(o, "vendor_id", c->vendor_id);
		set_int(o, "device_id", c->device_id);
	}
	if (c->fields & DCP_F_ROLE)
		set_int(o, "role", c->role);
	if (c->fields & DCP_F_INSTANCE)
		set_int(o, "instance", c->instance);
	if (c->fields & DCP_F_OEM) {
		set_int(o, "oem_vendor_id", c->oem_vendor_id);
		set_int(o, "oem_device_id", c->oem_device_id);
	}
	if (c->fields & DCP_F_MAC)
		set_mac(o, "mac", c->mac);
	if (c->fields & DCP_F_IP) {
		set_ip(o, "ip", c->ip);
		set_ip(o, "mask", c->mask);
		set_ip(o, "gw", c->gw);
		set_int(o, "ip_info", c->ip_info);
	}
	if (c->fields & DCP_F_SIGNAL)
		set_int(o, "signal", c->signal);
	if (c->fields & DCP_F_RESET)
		set_int(o, "reset", c->reset_qualifier);
	if (c->fields & DCP_F_RESPONSE) {
		set_int(o, "response_option", c->resp_option);
		set_int(o, "response_suboption", c->resp_suboption);
		set_int(o, "block_error", c->resp_error);
	}
	if (c->fields & DCP_F_INITIATIVE)
		set_int(o, "initiative", c->initiative);
	for (i = 0; i < c->nblock; i++) {
		json_t *b = json_array();

		json_array_append_new(b, json_integer(c->block[i].option));
		json_array_append_new(b, json_integer(c->block[i].suboption));
		json_array_append_new(a, b);
	}
	json_object_set_new(o, "blocks", a);
	return o;
}

static json_t *alarm_json(const struct decode_alarm *a)
{
	json_t *o = json_object();

	set_int(o, "dst_endpoint", a->dst_endpoint);
	set_int(o, "src_endpoint", a->src_endpoint);
	set_int(o, "pdu_type", a->pdu_type);
	set_int(o, "send_seq", a->send_seq);
	set_int(o, "ack_seq", a->ack_seq);
	set_int(o, "var_len", a->var_len);
	if (a->has_notification) {
		set_int(o, "alarm_type", a->alarm_type);
		set_int(o, "api", a->api);
		set_int(o, "slot", a->slot);
		set_int(o, "subslot", a->subslot);
		set_int(o, "alarm_specifier", a->alarm_specifier);
	}
	if (a->pdu_type == 4)
		set_int(o, "pnio_status", a->pnio_status);
	return o;
}

/* "io": [[slot, subslot, frame offset, 1 for an IOCS], ...] */
static void iocr_io_json(json_t *x, const struct decode_iocr *r)
{
	json_t *a = json_array();
	unsigned int i;

	for (i = 0; i < r->nio && i < DECODE_CM_IO; i++)
		json_array_append_new(a, json_pack("[iiii]", r->io[i].slot,
						   r->io[i].subslot,
						   r->io[i].offset,
						   r->io[i].iocs));
	json_object_set_new(x, "io", a);
	if (r->io_cut)
		json_object_set_new(x, "io_cut", json_true());
}

static json_t *cm_json(const struct decode_cm *c)
{
	json_t *o = json_object();

	set_int(o, "rpc_type", c->rpc_type);
	set_int(o, "opnum", c->opnum);
	if (c->iface)
		set_str(o, "op", cm_op_name(c->opnum));
	set_uuid(o, "interface", c->interface);
	set_uuid(o, "activity", c->activity);
	set_int(o, "seqnum", c->seqnum);
	if (c->has_ar)
		set_uuid(o, "ar_uuid", c->ar_uuid);
	if (c->block_type)
		set_int(o, "block_type", c->block_type);
	if (c->has_status)
		set_int(o, "pnio_status", c->pnio_status);
	if (c->niocr) {
		json_t *a = json_array();
		unsigned int i;

		for (i = 0; i < c->niocr; i++) {
			const struct decode_iocr *r = &c->iocr[i];
			json_t *x = json_object();

			set_int(x, "type", r->type);
			set_int(x, "ref", r->ref);
			set_int(x, "frame_id", r->frame_id);
			if (!r->res) {
				set_int(x, "send_clock_factor", r->send_clock);
				set_int(x, "reduction_ratio", r->reduction);
				set_int(x, "watchdog_factor", r->watchdog);
				set_int(x, "data_length", r->data_len);
				iocr_io_json(x, r);
			}
			json_array_append_new(a, x);
		}
		json_object_set_new(o, "iocr", a);
	}
	if (c->nsub) {
		json_t *a = json_array();
		unsigned int i;

		/* [slot, subslot, module ident, submodule ident, in, out] */
		for (i = 0; i < c->nsub && i < DECODE_CM_SUB; i++)
			json_array_append_new(a, json_pack("[iiIIii]",
				c->sub[i].slot, c->sub[i].subslot,
				(json_int_t)c->sub[i].module,
				(json_int_t)c->sub[i].submodule,
				c->sub[i].in_len, c->sub[i].out_len));
		json_object_set_new(o, "expected", a);
		if (c->sub_cut)
			json_object_set_new(o, "expected_cut", json_true());
	}
	return o;
}

/* A chassis or port id: a MAC or an IPv4 address as such, text otherwise. */
static void set_lldp_id(json_t *o, const char *k, unsigned int sub,
			unsigned int mac_sub, const uint8_t *id, uint16_t len)
{
	if (sub == mac_sub && len == 6)
		set_mac(o, k, id);
	else if (sub == mac_sub + 1 && len == 5 && id[0] == 1)
		set_ip(o, k, rd32be(id + 1));
	else
		set_bytes_str(o, k, id, len);
}

static json_t *lldp_pn_json(const struct decode_lldp *l)
{
	json_t *o = json_object();

	if (l->fields & LLDP_F_PN_DELAY) {
		set_int(o, "rx_delay_local", l->pn_rx_delay_local);
		set_int(o, "rx_delay_remote", l->pn_rx_delay_remote);
		set_int(o, "tx_delay_local", l->pn_tx_delay_local);
		set_int(o, "tx_delay_remote", l->pn_tx_delay_remote);
		set_int(o, "cable_delay", l->pn_cable_delay);
	}
	if (l->fields & LLDP_F_PN_PORT_STATUS) {
		set_int(o, "rtc2_port_status", l->pn_rtc2_status);
		set_int(o, "rtc3_port_status", l->pn_rtc3_status);
	}
	if (l->fields & LLDP_F_PN_MRP) {
		set_uuid(o, "mrp_domain", l->pn_mrp_domain);
		set_int(o, "mrrt_port_status", l->pn_mrrt_status);
	}
	if (l->fields & LLDP_F_PN_CHASSIS_MAC)
		set_mac(o, "chassis_mac", l->pn_chassis_mac);
	if (l->fields & LLDP_F_PN_ALIAS)
		set_bytes_str(o, "alias", l->pn_alias, l->pn_alias_len);
	return o;
}

static json_t *lldp_json(const struct decode_lldp *l)
{
	json_t *o = json_object(), *x;
	const uint8_t *st;
	uint16_t plen, stlen;

	set_int(o, "chassis_subtype", l->chassis_subtype);
	set_lldp_id(o, "chassis_id", l->chassis_subtype, LLDP_CHASSIS_MAC,
		    l->chassis_id, l->chassis_len);
	set_int(o, "port_subtype", l->port_subtype);
	set_lldp_id(o, "port_id", l->port_subtype, LLDP_PORT_MAC, l->port_id,
		    l->port_len);
	if (l->port_id &&
	    lldp_pn_port(l->port_id, l->port_len, &plen, &st, &stlen)) {
		set_bytes_str(o, "pn_port", l->port_id, plen);
		if (st)
			set_bytes_str(o, "pn_station", st, stlen);
	}
	set_int(o, "ttl", l->ttl);
	if (l->fields & LLDP_F_PORT_DESC)
		set_bytes_str(o, "port_desc", l->port_desc, l->port_desc_len);
	if (l->fields & LLDP_F_SYS_NAME)
		set_bytes_str(o, "system_name", l->sys_name, l->sys_name_len);
	if (l->fields & LLDP_F_SYS_DESC)
		set_bytes_str(o, "system_desc", l->sys_desc, l->sys_desc_len);
	if (l->fields & LLDP_F_CAPS) {
		set_int(o, "caps", l->caps);
		set_int(o, "caps_enabled", l->caps_enabled);
	}
	if (l->fields & LLDP_F_MGMT) {
		x = json_object();
		set_int(x, "subtype", l->mgmt_subtype);
		if (l->mgmt_subtype == 1 && l->mgmt_len == 4)
			set_ip(x, "addr", rd32be(l->mgmt_addr));
		set_int(x, "if_subtype", l->mgmt_if_subtype);
		set_int(x, "if", l->mgmt_if);
		json_object_set_new(o, "mgmt", x);
	}
	if (l->fields & (LLDP_F_PN_DELAY | LLDP_F_PN_PORT_STATUS |
			 LLDP_F_PN_MRP | LLDP_F_PN_CHASSIS_MAC |
			 LLDP_F_PN_ALIAS))
		json_object_set_new(o, "profinet", lldp_pn_json(l));
	if (l->fields & LLDP_F_MAC_PHY) {
		x = json_object();
		set_int(x, "autoneg", l->autoneg);
		set_int(x, "pmd_caps", l->pmd_caps);
		set_int(x, "mau_type", l->mau_type);
		json_object_set_new(o, "mac_phy", x);
	}
	return o;
}

static json_t *ip_json(const struct decode_ip *ip)
{
	json_t *o = json_object();

	set_ip(o, "src", ip->src);
	set_ip(o, "dst", ip->dst);
	if (ip->sport || ip->dport) {
		set_int(o, "sport", ip->sport);
		set_int(o, "dport", ip->dport);
	}
	return o;
}

json_t *decode_to_json(const struct decoded *d, uint64_t frame_no,
		       uint64_t ts_ns, uint32_t len)
{
	json_t *o = json_object(), *a;
	unsigned int i;

	if (!o)
		return NULL;
	set_int(o, "n", (long long)frame_no);
	set_int(o, "ts_ns", (long long)ts_ns);
	set_int(o, "len", len);
	set_mac(o, "src", d->src);
	set_mac(o, "dst", d->dst);
	a = json_array();
	for (i = 0; i < d->nvlan; i++)
		json_array_append_new(a, json_integer(d->vlan[i]));
	json_object_set_new(o, "vlan", a);
	set_int(o, "ethertype", d->ethertype);
	set_str(o, "proto", decode_proto_name(d->proto));
	if (d->has_ip)
		json_object_set_new(o, "ip", ip_json(&d->ip));
	switch (d->proto) {
	case DECODE_ECAT:
		json_object_set_new(o, "ecat", ecat_json(&d->ecat));
		break;
	case DECODE_PN_RT:
		json_object_set_new(o, "pn", pn_json(&d->pn));
		break;
	case DECODE_PN_DCP:
		json_object_set_new(o, "pn", pn_json(&d->pn));
		json_object_set_new(o, "dcp", dcp_json(&d->dcp));
		break;
	case DECODE_PN_ALARM:
		json_object_set_new(o, "pn", pn_json(&d->pn));
		json_object_set_new(o, "alarm", alarm_json(&d->alarm));
		break;
	case DECODE_PN_PTCP:
		json_object_set_new(o, "pn", pn_json(&d->pn));
		if (d->ptcp.has_header) {
			a = json_object();
			set_int(a, "sequence_id", d->ptcp.sequence_id);
			if (d->ptcp.has_delay)
				set_int(a, "delay_ns",
					(long long)d->ptcp.delay_ns);
			json_object_set_new(o, "ptcp", a);
		}
		break;
	case DECODE_PNIO_CM:
		json_object_set_new(o, "cm", cm_json(&d->cm));
		break;
	case DECODE_LLDP:
		json_object_set_new(o, "lldp", lldp_json(&d->lldp));
		break;
	}
	a = json_array();
	for (i = 0; i < DECODE_ANOMALY_COUNT; i++)
		if (d->anomalies & (1ULL << i))
			json_array_append_new(a,
				json_string(decode_anomaly_name(i)));
	json_object_set_new(o, "anomalies", a);
	return o;
}

int decode_print_json(FILE *f, const struct decoded *d, uint64_t frame_no,
		      uint64_t ts_ns, uint32_t len)
{
	json_t *o = decode_to_json(d, frame_no, ts_ns, len);
	int rc;

	if (!o)
		return -1;
	rc = json_dumpf(o, f, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (rc == 0 && fputc('\n', f) == EOF)
		rc = -1;
	return rc;
}
