/*
 * Every alert rule of the product, one row each: the stable id engineers,
 * tests, policies and SIEMs key on, the default severity, the MITRE ATT&CK
 * for ICS technique where one applies, how long a quiet condition stays
 * active before it clears, and the message in English and Simplified
 * Chinese.  Messages are templates: {device} the device the alert
 * concerns, {src} and {dst} the frame's MACs, {detail} what the raising
 * code says.  docs/security.md explains each security rule,
 * docs/diagnostics.md each diagnosis (ecat.wkc.*, ecat.esc.*, ecat.al.*,
 * ecat.slave.*, ecat.dc.*, diag.*).
 *
 * Later analyses (diag, analytics, ops) add their rows here; an id never
 * changes meaning once shipped.
 *
 * X(ENUM, "rule.id", SEVERITY, "Txxxx" or NULL, clear_s, "en", "zh")
 */
#ifndef IIOTD_ALERT_RULES_H
#define IIOTD_ALERT_RULES_H

/*
 * Process analytics (daemon/analytics, docs/analytics.md): one alert per
 * (rule instance, signal); {device} is the signal's name (the rule's for
 * expressions), {detail} the rule, the value and the limit it crossed.
 * The rule engine clears its alerts itself and sets the severity of
 * each (warning unless the rule says), hence INFO here; anomalies clear
 * when quiet.
 */
#define ALERT_RULES_SIGNAL(X) \
	X(SIGNAL_THRESHOLD, "signal.threshold", INFO, NULL, 0, \
	  "{device} crossed its limit: {detail}", \
	  "{device} 越限：{detail}") \
	X(SIGNAL_RATE, "signal.rate", INFO, NULL, 0, \
	  "{device} changes too fast: {detail}", \
	  "{device} 变化过快：{detail}") \
	X(SIGNAL_STALE, "signal.stale", INFO, NULL, 0, \
	  "{device} has no new value: {detail}", \
	  "{device} 没有新数值：{detail}") \
	X(SIGNAL_STUCK, "signal.stuck", INFO, NULL, 0, \
	  "{device} is stuck: {detail}", \
	  "{device} 数值停滞不变：{detail}") \
	X(SIGNAL_RANGE, "signal.range", INFO, NULL, 0, \
	  "{device} is outside its engineering range: {detail}", \
	  "{device} 超出工程量程：{detail}") \
	X(SIGNAL_STATE_HELD, "signal.state_held", INFO, NULL, 0, \
	  "{device} has held its state too long: {detail}", \
	  "{device} 保持同一状态过久：{detail}") \
	X(SIGNAL_EXPR, "signal.expr", INFO, NULL, 0, \
	  "Condition {device} holds: {detail}", \
	  "条件 {device} 成立：{detail}") \
	X(SIGNAL_ANOMALY, "signal.anomaly", INFO, NULL, 300, \
	  "{device} deviates from its learnt baseline: {detail}", \
	  "{device} 偏离已学习的基线：{detail}")

/*
 * The baseline's deviations (daemon/ids/ids_baseline.c, docs/security.md
 * "Baseline"): raised only once a learning window has passed.
 */
#define ALERT_RULES_BASELINE(X) \
	X(NET_PAIR_NEW, "net.pair.new", WARNING, NULL, 300, \
	  "New communication pair {src} -> {dst}, not in the baseline: {detail}", \
	  "新的通信对 {src} -> {dst}，不在基线中：{detail}") \
	X(PN_FRAME_ID_NEW, "pn.rt.frame_id_new", WARNING, "T0855", 300, \
	  "Cyclic frames to {device} with a FrameID not in the baseline: {detail}", \
	  "发往 {device} 的周期帧使用了基线中没有的 FrameID：{detail}") \
	X(PN_RT_FOREIGN, "pn.rt.foreign_source", CRITICAL, "T0830", 60, \
	  "Cyclic frames to {device} from {src}, which is not the AR's peer: {detail}", \
	  "发往 {device} 的周期帧来自 {src}，而非该 AR 的对端：{detail}") \
	X(ECAT_MASTER_CHANGED, "ecat.master.changed", CRITICAL, "T0848", 300, \
	  "The EtherCAT master changed: {detail}", \
	  "EtherCAT 主站已改变：{detail}") \
	X(ECAT_MASTER_UNKNOWN, "ecat.master.unknown", WARNING, "T0848", 300, \
	  "An EtherCAT master not in the baseline: {detail}", \
	  "基线中没有的 EtherCAT 主站：{detail}") \
	X(NET_LINK_FLOOD, "net.link.flood", WARNING, "T0814", 60, \
	  "Frame flood on the line: {detail}", \
	  "线路上出现帧泛洪：{detail}") \
	X(PN_DCP_RATE, "pn.dcp.rate_above_baseline", WARNING, "T0846", 60, \
	  "DCP from {src} above its learned rate: {detail}", \
	  "来自 {src} 的 DCP 超出已学习的速率：{detail}") \
	X(ARP_RATE, "arp.rate_above_baseline", WARNING, "T0846", 60, \
	  "ARP from {src} above its learned rate: {detail}", \
	  "来自 {src} 的 ARP 超出已学习的速率：{detail}")

/*
 * Operations (daemon/ops/subsys_ops.c, docs/operations.md "Faults"): iiotd
 * watching itself; ops.north.down is the edge node's and ops.fleet.down
 * the fleet host's (daemon/north, daemon/fleet, docs/north.md).  Raised on a state change and cleared by the same
 * code when the condition ends, hence clear_s 0; a clock step is an event
 * and clears after ten quiet minutes.  eval.nonconformity (daemon/eval,
 * "Evaluation"): a check that an evaluation found failing, opened or
 * reopened; {device} the check's id; cleared when an admin closes it.
 */
#define ALERT_RULES_OPS(X) \
	X(OPS_DISK_LOW, "ops.disk.low", CRITICAL, NULL, 0, \
	  "The store is degraded for disk space, raw samples are not stored: {detail}", \
	  "存储因磁盘空间不足而降级，原始采样不再保存：{detail}") \
	X(OPS_RING_STALE, "ops.ring.stale", WARNING, NULL, 0, \
	  "Capture ring {device} has no live producer: {detail}", \
	  "采集环 {device} 没有存活的生产者：{detail}") \
	X(OPS_CLOCK_STEP, "ops.clock.step", WARNING, NULL, 600, \
	  "The wall clock stepped: {detail}", \
	  "系统时钟发生跳变：{detail}") \
	X(EVAL_NONCONFORMITY, "eval.nonconformity", WARNING, NULL, 0, \
	  "Nonconformity {device}: {detail}", \
	  "不符合项 {device}：{detail}") \
	X(OPS_NORTH_DOWN, "ops.north.down", WARNING, NULL, 0, \
	  "The Sparkplug B edge node has no session, data are queued: {detail}", \
	  "Sparkplug B 边缘节点没有会话，数据正在排队：{detail}") \
	X(OPS_FLEET_DOWN, "ops.fleet.down", WARNING, NULL, 0, \
	  "The fleet host's broker refused its connection: {detail}", \
	  "车队主机的代理拒绝了其连接：{detail}")

/*
 * Devices iiotd polls (daemon/south, docs/modbus.md): raised when a
 * device has failed degraded_after scans in a row, cleared by the same
 * code when a scan succeeds again, hence clear_s 0.  A message on a
 * topic of the MQTT device space that no device has (docs/devices.md):
 * one alert per name under mqtt.root, cleared when quiet for 10 min.
 */
#define ALERT_RULES_SOUTH(X) \
	X(MODBUS_DEGRADED, "modbus.device.degraded", WARNING, NULL, 0, \
	  "Modbus device {device} does not answer: {detail}", \
	  "Modbus 设备 {device} 无应答：{detail}") \
	X(MQTT_UNKNOWN, "mqtt.publisher.unknown", WARNING, "T0856", 600, \
	  "A message from an unknown publisher in the MQTT device topics: {detail}", \
	  "MQTT 设备主题中出现未知发布者的消息：{detail}")

#define ALERT_RULES(X) \
	X(FLOOD, "alert.flood", WARNING, NULL, 600, \
	  "Alert flood: {detail}", \
	  "告警泛滥：{detail}") \
	X(PN_DCP_SET_STRANGER, "pn.dcp.set_from_stranger", WARNING, "T0855", 60, \
	  "DCP Set {detail} to {device} from {src}, which is neither an engineering station nor the device's controller", \
	  "来自 {src} 的 DCP Set {detail} 发往 {device}，该源既不是工程师站也不是设备的控制器") \
	X(PN_DCP_IDENTIFY_FLOOD, "pn.dcp.identify_flood", WARNING, "T0846", 60, \
	  "DCP Identify flood from {src}: {detail}", \
	  "来自 {src} 的 DCP Identify 泛洪：{detail}") \
	X(PN_DCP_HELLO_FLOOD, "pn.dcp.hello_flood", WARNING, "T0814", 60, \
	  "DCP Hello flood from {src}: {detail}", \
	  "来自 {src} 的 DCP Hello 泛洪：{detail}") \
	X(PN_DCP_RESET_FLOOD, "pn.dcp.reset_flood", WARNING, "T0814", 60, \
	  "DCP Reset flood from {src}: {detail}", \
	  "来自 {src} 的 DCP 复位泛洪：{detail}") \
	X(PN_DCP_DUP_NAME, "pn.dcp.duplicate_name", WARNING, "T0856", 300, \
	  "Two stations answer for the name {detail}: {src} and {device}", \
	  "两个站点应答同一站名 {detail}：{src} 与 {device}") \
	X(PN_DCP_DUP_IP, "pn.dcp.duplicate_ip", WARNING, "T0856", 300, \
	  "Two stations claim the IP address {detail}: {src} and {device}", \
	  "两个站点声明同一 IP 地址 {detail}：{src} 与 {device}") \
	X(ARP_IP_TAKEOVER, "arp.ip_takeover", CRITICAL, "T0830", 300, \
	  "ARP from {src} claims {detail}, the address of {device}", \
	  "{src} 的 ARP 声明了 {device} 的地址 {detail}") \
	X(ARP_PORT_STEALING, "arp.port_stealing", CRITICAL, "T0830", 300, \
	  "ARP with the MAC of {device} as source but sender IP {detail}, not the device's (port stealing)", \
	  "以 {device} 的 MAC 为源、发送方 IP 为 {detail}（非该设备地址）的 ARP（端口窃取）") \
	X(ARP_REPLY_FLOOD, "arp.reply_flood", WARNING, "T0830", 60, \
	  "ARP reply flood from {src}: {detail}", \
	  "来自 {src} 的 ARP 应答泛洪：{detail}") \
	X(PN_AR_LOST_ATTACK, "pn.ar.lost_after_attack", CRITICAL, "T0827", 60, \
	  "The cyclic exchange of {device} stopped right after an attack on it: {detail}", \
	  "{device} 遭受攻击后周期性数据交换随即中断：{detail}") \
	X(ECAT_SECOND_MASTER, "ecat.master.second", CRITICAL, "T0848", 60, \
	  "A second EtherCAT master {src} sends while {device} runs the line ({detail})", \
	  "第二个 EtherCAT 主站 {src} 在 {device} 运行时发送帧（{detail}）") \
	X(ECAT_REG_WRITE, "ecat.write.register", CRITICAL, "T0855", 60, \
	  "EtherCAT write outside start-up to {detail} of {device} from {src}", \
	  "启动阶段之外由 {src} 对 {device} 的 {detail} 的 EtherCAT 写操作") \
	X(ECAT_AL_DROP, "ecat.write.al_control", WARNING, "T0855", 60, \
	  "AL control write outside start-up takes {device} out of OP: {detail}", \
	  "启动阶段之外的 AL 控制写操作使 {device} 退出 OP：{detail}") \
	X(ECAT_FOE_WRITE, "ecat.foe.write", CRITICAL, "T0857", 300, \
	  "FoE file download to {device} outside maintenance: {detail}", \
	  "维护期之外向 {device} 下载 FoE 文件：{detail}") \
	X(ECAT_INJECTED, "ecat.dgram.injected", CRITICAL, "T0855", 60, \
	  "EtherCAT frame returned that the master {device} never sent: {detail}", \
	  "返回了主站 {device} 从未发送的 EtherCAT 帧：{detail}") \
	X(ECAT_WKC_MISMATCH, "ecat.wkc.mismatch", WARNING, NULL, 10, \
	  "Working counter of a cyclic datagram of {device}: {detail}", \
	  "{device} 的周期数据报工作计数器异常：{detail}") \
	X(ECAT_ESC_RX_ERRORS, "ecat.esc.rx_errors", WARNING, NULL, 300, \
	  "EtherCAT RX errors at {device}: {detail}", \
	  "{device} 出现 EtherCAT 接收错误：{detail}") \
	X(ECAT_ESC_LOST_LINK, "ecat.esc.lost_link", WARNING, NULL, 300, \
	  "EtherCAT link lost at {device}: {detail}", \
	  "{device} 的 EtherCAT 链路曾中断：{detail}") \
	X(ECAT_ESC_PU_ERRORS, "ecat.esc.pu_errors", WARNING, NULL, 300, \
	  "EtherCAT processing-unit or PDI errors at {device}: {detail}", \
	  "{device} 出现 EtherCAT 处理单元或 PDI 错误：{detail}") \
	X(ECAT_ESC_WATCHDOG, "ecat.esc.watchdog", WARNING, NULL, 300, \
	  "Watchdog expired at {device}: {detail}", \
	  "{device} 的看门狗超时：{detail}") \
	X(ECAT_AL_NOT_OP, "ecat.al.not_op", WARNING, NULL, 60, \
	  "{device} left OP: {detail}", \
	  "{device} 已退出 OP 状态：{detail}") \
	X(ECAT_AL_ERROR, "ecat.al.error", CRITICAL, NULL, 60, \
	  "{device} reports an AL error: {detail}", \
	  "{device} 报告应用层（AL）错误：{detail}") \
	X(ECAT_SLAVE_LOST, "ecat.slave.lost", CRITICAL, NULL, 60, \
	  "EtherCAT slave lost: {device} {detail}", \
	  "EtherCAT 从站丢失：{device} {detail}") \
	X(ECAT_SLAVE_MISSING, "ecat.slave.missing", CRITICAL, NULL, 0, \
	  "EtherCAT slave of the ENI missing: {device} {detail}", \
	  "ENI 中的 EtherCAT 从站缺失：{device} {detail}") \
	X(ECAT_SLAVE_UNEXPECTED, "ecat.slave.unexpected", WARNING, NULL, 0, \
	  "EtherCAT slave not as the ENI expects: {device} {detail}", \
	  "EtherCAT 从站与 ENI 不符：{device} {detail}") \
	X(ECAT_DC_DRIFT, "ecat.dc.drift", WARNING, NULL, 60, \
	  "Distributed clock of {device} out of sync: {detail}", \
	  "{device} 的分布式时钟失步：{detail}") \
	X(ECAT_FRAME_LOST, "ecat.frame.lost", WARNING, NULL, 60, \
	  "EtherCAT frame of {device} lost in the ring: {detail}", \
	  "{device} 的 EtherCAT 帧在环路中丢失：{detail}") \
	X(PN_AR_LOST, "pn.ar.lost", CRITICAL, NULL, 60, \
	  "Cyclic data of {device} stopped: {detail}", \
	  "{device} 的周期数据中断：{detail}") \
	X(PN_CYCLE_LOST, "pn.cycle.lost", WARNING, NULL, 60, \
	  "Cyclic frames of {device} lost: {detail}", \
	  "{device} 的周期帧丢失：{detail}") \
	X(PN_SUBMODULE_BAD, "pn.submodule.bad", WARNING, NULL, 60, \
	  "Submodule status BAD at {device}: {detail}", \
	  "{device} 的子模块状态为 BAD：{detail}") \
	X(PN_REDUNDANCY_SWITCH, "pn.redundancy.switch", WARNING, NULL, 300, \
	  "{device} switched its AR over: {detail}", \
	  "{device} 的 AR 发生主备切换：{detail}") \
	X(PN_REDUNDANCY_NO_PRIMARY, "pn.redundancy.no_primary", CRITICAL, NULL, 60, \
	  "No primary AR for {device}: {detail}", \
	  "{device} 没有主 AR：{detail}") \
	X(PN_PROVIDER_STOP, "pn.provider.stop", WARNING, NULL, 60, \
	  "{device} went to STOP: {detail}", \
	  "{device} 进入 STOP 状态：{detail}") \
	X(PN_DATA_INVALID, "pn.data.invalid", WARNING, NULL, 60, \
	  "{device} sends invalid data: {detail}", \
	  "{device} 发送的数据无效：{detail}") \
	X(PN_STATION_PROBLEM, "pn.station.problem", WARNING, NULL, 60, \
	  "{device} signals a station problem: {detail}", \
	  "{device} 指示站点故障：{detail}") \
	X(PN_ALARM_DIAG, "pn.alarm.diagnosis", WARNING, NULL, 0, \
	  "Diagnosis alarm from {device}: {detail}", \
	  "{device} 的诊断报警：{detail}") \
	X(PN_ALARM_PULL, "pn.alarm.pull", WARNING, NULL, 0, \
	  "Module pulled at {device}: {detail}", \
	  "{device} 的模块被拔出：{detail}") \
	X(DIAG_PREDICTED, "diag.predicted", WARNING, NULL, 600, \
	  "Predicted fault at {device}: {detail}", \
	  "{device} 预测将出现故障：{detail}") \
	X(DIAG_LOAD_CHECK, "diag.load.check", INFO, NULL, 0, \
	  "Network load on {device} to check: {detail}", \
	  "{device} 的网络负载需检查：{detail}") \
	X(DIAG_LOAD_REDUCE, "diag.load.reduce", WARNING, NULL, 0, \
	  "Network load on {device} too high: {detail}", \
	  "{device} 的网络负载过高：{detail}") \
	X(DEVICE_NEW, "device.new", INFO, NULL, 0, \
	  "New device {device} ({detail}) waits for admission", \
	  "新设备 {device}（{detail}）等待准入") \
	X(INVENTORY_FLOOD, "inventory.mac_flood", WARNING, "T0814", 300, \
	  "Many new MAC addresses: {detail}", \
	  "大量新的 MAC 地址：{detail}") \
	X(ENFORCE_REFUSED, "enforce.refused", WARNING, NULL, 300, \
	  "Block of {src} refused: {detail}", \
	  "拒绝阻断 {src}：{detail}") \
	ALERT_RULES_BASELINE(X) \
	ALERT_RULES_SIGNAL(X) \
	ALERT_RULES_OPS(X) \
	ALERT_RULES_SOUTH(X)

enum alert_rule_id {
#define ALERT_X_ENUM(e, id, sev, tech, clr, en, zh) ALERT_R_##e,
	ALERT_RULES(ALERT_X_ENUM)
#undef ALERT_X_ENUM
	ALERT_RULE_COUNT
};

#endif
