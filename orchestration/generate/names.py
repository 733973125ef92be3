"""Name material for synthetic agencies: the real provinces (with their GB/T 2260 codes),
syllables that make plausible place names, and the real names of government departments at
each level (with the short forms people write, used as aliases)."""

from __future__ import annotations

# (code prefix, name, kind) kind: "province" | "municipality" | "region" (autonomous region)
PROVINCES: tuple[tuple[str, str, str], ...] = (
    ("11", "北京市", "municipality"), ("12", "天津市", "municipality"), ("13", "河北省", "province"),
    ("14", "山西省", "province"), ("15", "内蒙古自治区", "region"), ("21", "辽宁省", "province"),
    ("22", "吉林省", "province"), ("23", "黑龙江省", "province"), ("31", "上海市", "municipality"),
    ("32", "江苏省", "province"), ("33", "浙江省", "province"), ("34", "安徽省", "province"),
    ("35", "福建省", "province"), ("36", "江西省", "province"), ("37", "山东省", "province"),
    ("41", "河南省", "province"), ("42", "湖北省", "province"), ("43", "湖南省", "province"),
    ("44", "广东省", "province"), ("45", "广西壮族自治区", "region"), ("46", "海南省", "province"),
    ("50", "重庆市", "municipality"), ("51", "四川省", "province"), ("52", "贵州省", "province"),
    ("53", "云南省", "province"), ("54", "西藏自治区", "region"), ("61", "陕西省", "province"),
    ("62", "甘肃省", "province"), ("63", "青海省", "province"), ("64", "宁夏回族自治区", "region"),
    ("65", "新疆维吾尔自治区", "region"),
)

# Characters common in Chinese place names; two of them make a name (e.g. 平安, 东阳).
PLACE_SYLLABLES = (
    "安平东西南北阳山江河湖海宁泰兴华昌丰永长新清德武云台金石桥城庄溪林峰川宝隆源凤龙"
    "桃柳梅松青白黄红绿乐福寿康庆定和顺通利广盛嘉美明光远景文昭连高望临沙水泉岭阜宜"
    "荣启建元鹤鸣灵秀仙霞春秋洪田湾浦滨塘坪坝关口集铺营屯堡寨岗陵")

# Departments (name, short form or "", weight of the applications it receives relative to
# the government of its level, weight of its penalty/licensing decisions).
# Real names of 政府组成部门 and 直属机构 as they appear in report titles.
DEPARTMENTS: tuple[tuple[str, str, float, float], ...] = (
    ("发展和改革委员会", "发改委", 0.5, 0.3),
    ("教育局", "", 0.6, 0.2),
    ("科学技术局", "科技局", 0.1, 0.1),
    ("工业和信息化局", "工信局", 0.2, 0.2),
    ("公安局", "", 2.0, 6.0),
    ("民政局", "", 0.4, 0.2),
    ("司法局", "", 0.3, 0.2),
    ("财政局", "", 0.5, 0.2),
    ("人力资源和社会保障局", "人社局", 1.2, 0.8),
    ("自然资源和规划局", "自然资源局", 3.0, 1.5),
    ("生态环境局", "", 0.8, 2.0),
    ("住房和城乡建设局", "住建局", 2.5, 1.5),
    ("交通运输局", "", 0.7, 3.0),
    ("水利局", "", 0.3, 0.5),
    ("农业农村局", "农业局", 0.5, 1.0),
    ("商务局", "", 0.2, 0.3),
    ("文化和旅游局", "文旅局", 0.2, 0.5),
    ("卫生健康委员会", "卫健委", 0.8, 1.5),
    ("退役军人事务局", "", 0.2, 0.05),
    ("应急管理局", "", 0.3, 1.0),
    ("审计局", "", 0.1, 0.02),
    ("市场监督管理局", "市场监管局", 1.5, 5.0),
    ("统计局", "", 0.05, 0.1),
    ("医疗保障局", "医保局", 0.4, 0.5),
    ("林业局", "", 0.2, 0.5),
    ("城市管理局", "城管局", 0.8, 3.0),
    ("行政审批局", "", 0.3, 0.1),
    ("人民政府办公室", "政府办", 1.0, 0.0),
    ("地方志办公室", "方志办", 0.02, 0.0),
    ("信访局", "", 0.3, 0.0),
)

STREET_SUFFIX = "街道办事处"
