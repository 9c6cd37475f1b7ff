#!/usr/bin/env python3
"""Compare `iiotctl decode FILE` with tshark's dissection of FILE, field by
field, frame by frame.  Exit 0 when they agree completely, 1 otherwise.

usage: compare.py IIOTCTL PCAP
Prints one line "compared N values in M frames" and, on disagreement, the
first mismatches.
"""
import json
import subprocess
import sys

SEP = "\x1f"
SUBS = range(1, 11)  # tshark names the first ten datagrams ecat.subN.*

FIELDS = [
    "frame.number", "frame.len", "frame.time_epoch", "frame.protocols", "eth.src", "eth.dst", "ieee8021ad.id", "vlan.id",
    "ecat.cmd", "ecat.idx", "ecat.adp", "ecat.ado", "ecat.lad", "ecat.cnt",
    "ecat.int", "ecat.subframe.length", "ecat.subframe.circulating",
    "ecat_mailbox.type", "ecat_mailbox.length", "ecat_mailbox.address",
    "ecat_mailbox.counter", "ecat_mailbox.coe.type",
    "ecat_mailbox.coe.sdoidx", "ecat_mailbox.coe.sdosub",
    "ecat_mailbox.coe.abortcode", "ecat_mailbox.coe.sdoinfoopcode",
    "ecat_mailbox.foe_opmode", "ecat_mailbox.foe_filename",
    "ecat_mailbox.eoe.type", "ecat_mailbox.eoe.fragno",
    "pn_rt.frame_id", "pn_rt.cycle_counter", "pn_rt.ds",
    "pn_rt.transfer_status", "pn_rt.frag_data_length",
    "pn_rt.frag_status.fragment_number", "pn_rt.frag_status.more_follows",
    "pn_dcp.service_id", "pn_dcp.service_type", "pn_dcp.xid",
    "pn_dcp.response_delay",
    "pn_dcp.suboption_device_nameofstation",
    "pn_dcp.suboption_device_devicevendorvalue",
    "pn_dcp.suboption_device_aliasname",
    "pn_dcp.suboption_vendor_id", "pn_dcp.suboption_device_id",
    "pn_dcp.suboption_device_role", "pn_dcp.suboption_ip_ip",
    "pn_dcp.suboption_ip_subnetmask",
    "pn_dcp.suboption_ip_standard_gateway",
    "pn_dcp.suboption_ip_mac_address",
    "pn_dcp.suboption_control_signal_value",
    "pn_dcp.block_error", "pn_dcp.block_qualifier_reset",
    "pn_dcp.deviceinitiative_value",
    "pn_io.alarm_dst_endpoint", "pn_io.alarm_src_endpoint",
    "pn_io.pdu_type.type", "pn_io.send_seq_num", "pn_io.ack_seq_num",
    "pn_io.var_part_len", "pn_io.alarm_type", "pn_io.api", "pn_io.slot_nr",
    "pn_io.subslot_nr", "pn_io.alarm_specifier.sequence",
    "pn_io.alarm_specifier.channel", "pn_io.alarm_specifier.manufacturer",
    "pn_io.alarm_specifier.submodule", "pn_io.alarm_specifier.ardiagnosis",
    "pn_ptcp.sequence_id", "pn_ptcp.delay10ns", "pn_ptcp.delay1ns_byte",
    "pn_ptcp.delay1ns",
    "ip.src", "ip.dst", "udp.srcport", "udp.dstport",
    "dcerpc.pkt_type", "dcerpc.opnum", "dcerpc.dg_if_id", "dcerpc.dg_flags1",
    "pn_io.ar_uuid",
    "pn_io.iocr_type", "pn_io.send_clock_factor", "pn_io.reduction_ratio",
    "pn_io.watchdog_factor", "pn_io.io_data_object.frame_offset",
    "pn_io.iocs_frame_offset",
    "pn_io.module_ident_number", "pn_io.submodule_ident_number",
    "lldp.chassis.subtype", "lldp.chassis.id", "lldp.chassis.id.mac",
    "lldp.chassis.id.ip4", "lldp.port.subtype", "lldp.port.id",
    "lldp.port.id.mac", "lldp.port.id.ip4", "lldp.time_to_live", "lldp.port.desc",
    "lldp.tlv.system.name", "lldp.tlv.system.desc", "lldp.tlv.system_cap",
    "lldp.tlv.enable_system_cap", "lldp.mgn.addr.ip4",
    "lldp.mgn.interface.subtype", "lldp.mgn.interface.number",
    "lldp.profinet.port_rx_delay_local", "lldp.profinet.port_rx_delay_remote",
    "lldp.profinet.port_tx_delay_local", "lldp.profinet.port_tx_delay_remote",
    "lldp.profinet.cable_delay_local", "lldp.profinet.rtc2_port_status",
    "lldp.profinet.rtc3_port_status", "lldp.profinet.mrp_domain_uuid",
    "lldp.profinet.mrrt_port_status", "lldp.profinet.cm_mac_add",
    "lldp.ieee.802_3.mac_phy_auto_neg_status",
    "lldp.ieee.802_3.pmd_auto_neg_advertised_caps",
    "lldp.ieee.802_3.pmd_mau_type",
]
# ESC registers: our register name (and port) -> tshark field
REGS = {("al_status", 0): "ecat.reg.alstatus",
        ("al_status_code", 0): "ecat.reg.alstatuscode",
        ("al_control", 0): "ecat.reg.alctrl",
        ("dl_status", 0): "ecat.reg.dlstatus1",
        ("dl_loop", 0): "ecat.reg.dlstatus2"}
for p in range(4):
    REGS[("rx_err", p)] = "ecat.reg.crc%d" % p
    REGS[("fwd_rx_err", p)] = "ecat.reg.crc.fwd%d" % p
    REGS[("lost_link", p)] = "ecat.reg.linklost%d" % p
FIELDS += sorted(REGS.values())
for n in SUBS:
    for f in ("cmd", "idx", "adp", "ado", "lad", "cnt"):
        FIELDS.append("ecat.sub%d.%s" % (n, f))


def tshark_frames(pcap):
    # EtherCAT over UDP is not on by default in tshark: ask for it.
    cmd = ["tshark", "-n", "-d", "udp.port==34980,ecatf", "-r", pcap, "-T", "fields", "-E", "separator=\t",
           "-E", "occurrence=a", "-E", "aggregator=" + SEP]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL).stdout.decode(
                             "utf-8", "replace")
    frames = []
    for line in out.split("\n"):
        if not line:
            continue
        cols = line.split("\t")
        frames.append({f: (cols[i].split(SEP) if i < len(cols) and cols[i]
                           else []) for i, f in enumerate(FIELDS)})
    return frames


def our_frames(iiotctl, pcap):
    out = subprocess.run([iiotctl, "decode", pcap], check=True,
                         stdout=subprocess.PIPE).stdout.decode()
    return [json.loads(line) for line in out.split("\n") if line]


def num(s):
    return int(s, 0)


class Cmp:
    def __init__(self):
        self.values = 0
        self.bad = []

    def eq(self, n, what, got, want):
        self.values += 1
        if got != want:
            self.bad.append("frame %d %s: iiotctl %r, tshark %r"
                            % (n, what, got, want))


def tshark_proto(t):
    protos = t["frame.protocols"][0].split(":") if t["frame.protocols"] else []
    if "ecatf" in protos:
        return "ecat"
    if "pn_dcp" in protos:
        return "pn_dcp"
    if "pn_ptcp" in protos:
        return "pn_ptcp"
    if "pn_rt" in protos:
        fid = num(t["pn_rt.frame_id"][0]) if t["pn_rt.frame_id"] else -1
        return "pn_alarm" if fid in (0xFC01, 0xFE01) else "pn_rt"
    if "lldp" in protos:
        return "lldp"
    if "dcerpc" in protos and any(i.startswith("dea0000")
                                  for i in t["dcerpc.dg_if_id"]):
        return "pnio_cm"
    return "other"


def cmp_ecat(c, n, t, e):
    dg = e["datagrams"]
    c.eq(n, "ecat.cmd", [g["cmd"] for g in dg], [num(x) for x in t["ecat.cmd"]])
    c.eq(n, "ecat.idx", [g["idx"] for g in dg], [num(x) for x in t["ecat.idx"]])
    c.eq(n, "ecat.cnt", [g["wkc"] for g in dg], [num(x) for x in t["ecat.cnt"]])
    c.eq(n, "ecat.int", [g["irq"] for g in dg], [num(x) for x in t["ecat.int"]])
    c.eq(n, "ecat.subframe.length", [g["len"] for g in dg],
         [num(x) for x in t["ecat.subframe.length"]])
    c.eq(n, "ecat.subframe.circulating",
         [1 if g.get("circulating") else 0 for g in dg],
         [num(x) for x in t["ecat.subframe.circulating"]])
    c.eq(n, "ecat.adp", [g["adp"] for g in dg if "adp" in g],
         [num(x) for x in t["ecat.adp"]])
    c.eq(n, "ecat.ado", [g["ado"] for g in dg if "ado" in g],
         [num(x) for x in t["ecat.ado"]])
    c.eq(n, "ecat.lad", [g["lad"] for g in dg if "lad" in g],
         [num(x) for x in t["ecat.lad"]])
    for i in SUBS:
        g = dg[i - 1] if i <= len(dg) else {}
        for f, k in (("cmd", "cmd"), ("idx", "idx"), ("adp", "adp"),
                     ("ado", "ado"), ("lad", "lad"), ("cnt", "wkc")):
            tv = t["ecat.sub%d.%s" % (i, f)]
            c.eq(n, "ecat.sub%d.%s" % (i, f),
                 [g[k]] if k in g else [], [num(x) for x in tv])
    mb = ([e["mailbox"]] if "mailbox" in e else []) + e.get("mailbox_more", [])
    types = {"err": 0, "aoe": 1, "eoe": 2, "coe": 3, "foe": 4, "soe": 5,
             "voe": 15}
    c.eq(n, "ecat_mailbox.type", [types[m["type"]] for m in mb],
         [num(x) for x in t["ecat_mailbox.type"]])
    c.eq(n, "ecat_mailbox.length", [m["length"] for m in mb],
         [num(x) for x in t["ecat_mailbox.length"]])
    c.eq(n, "ecat_mailbox.address", [m["address"] for m in mb],
         [num(x) for x in t["ecat_mailbox.address"]])
    c.eq(n, "ecat_mailbox.counter", [m["counter"] for m in mb],
         [num(x) for x in t["ecat_mailbox.counter"]])
    c.eq(n, "ecat_mailbox.coe.type",
         [m["coe_service"] for m in mb if "coe_service" in m],
         [num(x) for x in t["ecat_mailbox.coe.type"]])
    # tshark 4.0 shows no index/subindex for an abort, though the abort
    # carries them: compare those of the other SDOs.
    sdo = [m for m in mb if "index" in m and m.get("sdo") != "abort"]
    c.eq(n, "ecat_mailbox.coe.sdoidx", [m["index"] for m in sdo],
         [num(x) for x in t["ecat_mailbox.coe.sdoidx"]])
    c.eq(n, "ecat_mailbox.coe.sdosub", [m["subindex"] for m in sdo],
         [num(x) for x in t["ecat_mailbox.coe.sdosub"]])
    c.eq(n, "ecat_mailbox.coe.sdoinfoopcode",
         [m["info_opcode"] for m in mb if "info_opcode" in m],
         [num(x) for x in t["ecat_mailbox.coe.sdoinfoopcode"]])
    c.eq(n, "ecat_mailbox.foe_opmode", [m["foe_op"] for m in mb if "foe_op" in m],
         [num(x) for x in t["ecat_mailbox.foe_opmode"]])
    c.eq(n, "ecat_mailbox.foe_filename",
         [m["foe_name"] for m in mb if "foe_name" in m],
         t["ecat_mailbox.foe_filename"])
    c.eq(n, "ecat_mailbox.eoe.type", [m["eoe_type"] for m in mb if "eoe_type" in m],
         [num(x) for x in t["ecat_mailbox.eoe.type"]])
    c.eq(n, "ecat_mailbox.eoe.fragno",
         [m["eoe_fragment"] for m in mb if "eoe_fragment" in m],
         [num(x) for x in t["ecat_mailbox.eoe.fragno"]])
    c.eq(n, "ecat_mailbox.coe.abortcode",
         [m["abort_code"] for m in mb if "abort_code" in m],
         [num(x) for x in t["ecat_mailbox.coe.abortcode"]])


def cmp_regs(c, n, t, e):
    """Register meanings: tshark's ESC register dissection lists the
    registers each datagram covers, in datagram order, as we do."""
    ours = {}
    for r in e.get("regs", []):
        f = REGS.get((r["reg"], r.get("port", 0)))
        if f:
            ours.setdefault(f, []).append(r["value"])
    for f in sorted(REGS.values()):
        c.eq(n, f, ours.get(f, []), [num(x) for x in t[f]])


def first(t, f, conv=str):
    return conv(t[f][0]) if t[f] else None


def cmp_pn(c, n, t, o):
    pn = o.get("pn", {})
    c.eq(n, "pn_rt.frame_id", pn.get("frame_id"), first(t, "pn_rt.frame_id", num))
    c.eq(n, "pn_rt.cycle_counter", pn.get("cycle_counter"),
         first(t, "pn_rt.cycle_counter", num))
    c.eq(n, "pn_rt.ds", pn.get("data_status"), first(t, "pn_rt.ds", num))
    c.eq(n, "pn_rt.transfer_status", pn.get("transfer_status"),
         first(t, "pn_rt.transfer_status", num))
    c.eq(n, "pn_rt.frag_data_length", pn.get("frag_len"),
         first(t, "pn_rt.frag_data_length", num))
    c.eq(n, "pn_rt.frag_status.fragment_number", pn.get("frag_no"),
         first(t, "pn_rt.frag_status.fragment_number", num))
    more = first(t, "pn_rt.frag_status.more_follows", num)
    c.eq(n, "pn_rt.frag_status.more_follows",
         None if "frag_last" not in pn else int(not pn["frag_last"]), more)


def cmp_dcp(c, n, t, o):
    d = o.get("dcp", {})
    for f, k, conv in (("service_id", "service_id", num),
                       ("service_type", "service_type", num),
                       ("xid", "xid", num),
                       ("response_delay", "response_delay", num),
                       ("suboption_device_nameofstation", "name_of_station", str),
                       ("suboption_device_devicevendorvalue", "type_of_station", str),
                       ("suboption_device_aliasname", "alias", str),
                       ("suboption_vendor_id", "vendor_id", num),
                       ("suboption_device_id", "device_id", num),
                       ("suboption_device_role", "role", num),
                       ("suboption_ip_ip", "ip", str),
                       ("suboption_ip_subnetmask", "mask", str),
                       ("suboption_ip_standard_gateway", "gw", str),
                       ("suboption_ip_mac_address", "mac", str),
                       ("suboption_control_signal_value", "signal", num),
                       ("block_error", "block_error", num),
                       ("block_qualifier_reset", "reset", num),
                       ("deviceinitiative_value", "initiative", num)):
        c.eq(n, "pn_dcp." + f, d.get(k), first(t, "pn_dcp." + f, conv))


def cmp_alarm(c, n, t, o):
    a = o.get("alarm", {})
    for f, k in (("alarm_dst_endpoint", "dst_endpoint"),
                 ("alarm_src_endpoint", "src_endpoint"),
                 ("pdu_type.type", "pdu_type"), ("send_seq_num", "send_seq"),
                 ("ack_seq_num", "ack_seq"), ("var_part_len", "var_len"),
                 ("alarm_type", "alarm_type"), ("api", "api"),
                 ("slot_nr", "slot"), ("subslot_nr", "subslot")):
        c.eq(n, "pn_io." + f, a.get(k), first(t, "pn_io." + f, num))
    spec = a.get("alarm_specifier")
    for f, shift, mask in (("sequence", 0, 0x7FF), ("channel", 11, 1),
                           ("manufacturer", 12, 1), ("submodule", 13, 1),
                           ("ardiagnosis", 15, 1)):
        c.eq(n, "pn_io.alarm_specifier." + f,
             None if spec is None else (spec >> shift) & mask,
             first(t, "pn_io.alarm_specifier." + f, num))


def cmp_ptcp(c, n, t, o):
    p = o.get("ptcp", {})
    c.eq(n, "pn_ptcp.sequence_id", p.get("sequence_id"),
         first(t, "pn_ptcp.sequence_id", num))
    d10 = first(t, "pn_ptcp.delay10ns", num)
    if d10 is not None:
        want = d10 * 10 + (first(t, "pn_ptcp.delay1ns_byte", num) or 0)
    else:
        want = first(t, "pn_ptcp.delay1ns", num)
    c.eq(n, "pn_ptcp delay", p.get("delay_ns"), want)


def cmp_cm(c, n, t, o):
    cm = o.get("cm", {})
    c.eq(n, "dcerpc.pkt_type", cm.get("rpc_type"), first(t, "dcerpc.pkt_type", num))
    c.eq(n, "dcerpc.opnum", cm.get("opnum"), first(t, "dcerpc.opnum", num))
    c.eq(n, "dcerpc.dg_if_id", cm.get("interface"), first(t, "dcerpc.dg_if_id"))
    # iiotctl decodes frame by frame and does not reassemble fragmented
    # RPC bodies; tshark shows their blocks on the last fragment.
    if not (first(t, "dcerpc.dg_flags1", num) or 0) & 0x04:
        c.eq(n, "pn_io.ar_uuid", cm.get("ar_uuid"),
             first(t, "pn_io.ar_uuid"))
        # IOCR blocks: their types in body order, and the cycle of those
        # of a connect request (at most 4 kept)
        io = cm.get("iocr", [])
        if len(t["pn_io.iocr_type"]) <= 4:
            c.eq(n, "pn_io.iocr_type", [x["type"] for x in io],
                 [num(x) for x in t["pn_io.iocr_type"]])
            for f, k in (("pn_io.send_clock_factor", "send_clock_factor"),
                         ("pn_io.reduction_ratio", "reduction_ratio"),
                         ("pn_io.watchdog_factor", "watchdog_factor")):
                c.eq(n, f, [x[k] for x in io if k in x], [num(x) for x in t[f]])
            # the C_SDU layout of a request's IOCRs: data objects'
            # and IOCSs' frame offsets, in body order
            if not any(x.get("io_cut") for x in io):
                for f, kind in (("pn_io.io_data_object.frame_offset", 0),
                                ("pn_io.iocs_frame_offset", 1)):
                    c.eq(n, f, [e[2] for x in io for e in x.get("io", [])
                                if e[3] == kind], [num(x) for x in t[f]])
        # a connect request's ExpectedSubmoduleBlockReq: the module
        # ident of each slot entry and every submodule's ident, in body
        # order (the only block of a request that carries them)
        ex = cm.get("expected")
        if cm.get("rpc_type") == 0 and ex and not cm.get("expected_cut"):
            mods = [e[2] for i, e in enumerate(ex)
                    if i == 0 or e[0] != ex[i - 1][0] or e[2] != ex[i - 1][2]]
            c.eq(n, "pn_io.module_ident_number", mods,
                 [num(x) for x in t["pn_io.module_ident_number"]])
            c.eq(n, "pn_io.submodule_ident_number", [e[3] for e in ex],
                 [num(x) for x in t["pn_io.submodule_ident_number"]])


def lldp_id(t, f):
    """tshark gives a MAC or IPv4 id its own field, other ids as hex
    bytes (chassis) or text (port)."""
    for sub in (".mac", ".ip4"):
        if t[f + sub]:
            return t[f + sub][0]
    v = first(t, f)
    if v is not None and f == "lldp.chassis.id":
        try:
            v = bytes.fromhex(v.replace(":", "")).decode()
        except ValueError:
            pass
    return v


def cmp_lldp(c, n, t, o):
    ll = o.get("lldp", {})
    c.eq(n, "lldp.chassis.subtype", ll.get("chassis_subtype"),
         first(t, "lldp.chassis.subtype", num))
    c.eq(n, "lldp.chassis.id", ll.get("chassis_id"),
         lldp_id(t, "lldp.chassis.id"))
    c.eq(n, "lldp.port.subtype", ll.get("port_subtype"),
         first(t, "lldp.port.subtype", num))
    c.eq(n, "lldp.port.id", ll.get("port_id"), lldp_id(t, "lldp.port.id"))
    c.eq(n, "lldp.time_to_live", ll.get("ttl"),
         first(t, "lldp.time_to_live", num))
    for f, k in (("lldp.port.desc", "port_desc"),
                 ("lldp.tlv.system.name", "system_name"),
                 ("lldp.tlv.system.desc", "system_desc")):
        c.eq(n, f, ll.get(k), first(t, f))
    for f, k in (("lldp.tlv.system_cap", "caps"),
                 ("lldp.tlv.enable_system_cap", "caps_enabled")):
        c.eq(n, f, ll.get(k), first(t, f, num))
    m = ll.get("mgmt", {})
    c.eq(n, "lldp.mgn.addr.ip4", m.get("addr"), first(t, "lldp.mgn.addr.ip4"))
    c.eq(n, "lldp.mgn.interface.subtype", m.get("if_subtype"),
         first(t, "lldp.mgn.interface.subtype", num))
    c.eq(n, "lldp.mgn.interface.number", m.get("if"),
         first(t, "lldp.mgn.interface.number", num))
    pn = ll.get("profinet", {})
    for f, k in (("port_rx_delay_local", "rx_delay_local"),
                 ("port_rx_delay_remote", "rx_delay_remote"),
                 ("port_tx_delay_local", "tx_delay_local"),
                 ("port_tx_delay_remote", "tx_delay_remote"),
                 ("cable_delay_local", "cable_delay"),
                 ("rtc2_port_status", "rtc2_port_status"),
                 ("rtc3_port_status", "rtc3_port_status"),
                 ("mrrt_port_status", "mrrt_port_status")):
        c.eq(n, "lldp.profinet." + f, pn.get(k),
             first(t, "lldp.profinet." + f, num))
    c.eq(n, "lldp.profinet.mrp_domain_uuid", pn.get("mrp_domain"),
         first(t, "lldp.profinet.mrp_domain_uuid"))
    c.eq(n, "lldp.profinet.cm_mac_add", pn.get("chassis_mac"),
         first(t, "lldp.profinet.cm_mac_add"))
    mp = ll.get("mac_phy", {})
    for f, k in (("mac_phy_auto_neg_status", "autoneg"),
                 ("pmd_auto_neg_advertised_caps", "pmd_caps"),
                 ("pmd_mau_type", "mau_type")):
        c.eq(n, "lldp.ieee.802_3." + f, mp.get(k),
             first(t, "lldp.ieee.802_3." + f, num))


def main():
    iiotctl, pcap = sys.argv[1], sys.argv[2]
    ts, ours = tshark_frames(pcap), our_frames(iiotctl, pcap)
    c = Cmp()
    c.eq(0, "frame count", len(ours), len(ts))
    for t, o in zip(ts, ours):
        n = num(t["frame.number"][0])
        c.eq(n, "n", o["n"], n)
        c.eq(n, "frame.len", o["len"], first(t, "frame.len", num))
        c.eq(n, "frame.time_epoch",
             "%d.%09d" % (o["ts_ns"] // 10**9, o["ts_ns"] % 10**9),
             first(t, "frame.time_epoch"))
        c.eq(n, "eth.src", o["src"], first(t, "eth.src"))
        c.eq(n, "eth.dst", o["dst"], first(t, "eth.dst"))
        c.eq(n, "vlan.id", o["vlan"], [num(x) for x in t["ieee8021ad.id"] +
                                       t["vlan.id"]])
        proto = tshark_proto(t)
        c.eq(n, "proto", o["proto"], proto)
        if proto != o["proto"]:
            continue
        if proto == "ecat":
            cmp_ecat(c, n, t, o["ecat"])
            cmp_regs(c, n, t, o["ecat"])
        elif proto.startswith("pn_"):
            cmp_pn(c, n, t, o)
            if proto == "pn_dcp":
                cmp_dcp(c, n, t, o)
            elif proto == "pn_alarm":
                cmp_alarm(c, n, t, o)
            elif proto == "pn_ptcp":
                cmp_ptcp(c, n, t, o)
        elif proto == "pnio_cm":
            cmp_cm(c, n, t, o)
        elif proto == "lldp":
            cmp_lldp(c, n, t, o)
        if "ip" in o:
            ip = o["ip"]
            c.eq(n, "ip.src", ip["src"], first(t, "ip.src"))
            c.eq(n, "ip.dst", ip["dst"], first(t, "ip.dst"))
            if "sport" in ip and t["udp.srcport"]:
                c.eq(n, "udp.srcport", ip["sport"], first(t, "udp.srcport", num))
                c.eq(n, "udp.dstport", ip["dport"], first(t, "udp.dstport", num))
    print("compared %d values in %d frames, %d mismatches"
          % (c.values, len(ts), len(c.bad)))
    for b in c.bad[:25]:
        print("  " + b)
    return 1 if c.bad else 0


if __name__ == "__main__":
    sys.exit(main())
