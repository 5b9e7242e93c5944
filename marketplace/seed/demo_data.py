"""The demo's real places and cases (data only; ``demo.py`` loads it through the services).

Counties and townships are real national division codes (``data/regions``); the villages
are added under real township codes (township + 3 digits). People are synthetic: plain
made-up names and ID numbers whose region part is the county and whose check digit is valid;
credit codes carry the prefix of their kind (GB 32100) and the registering county; phone
numbers carry their region's area code. ``SOURCES`` says where each kind of figure comes from.
"""

#: Formerly poor counties of the demo (flagged ``poverty_county``): code → lifted year.
COUNTIES = {"511781": 2020, "220422": 2019, "500114": 2017, "610902": 2019, "513434": 2020}

#: village code → (name, lifted year); each parent township exists in data/regions/streets.csv.
VILLAGES = {
    "511781102201": ("石坪村", 2019),   # 万源市 旧院镇
    "511781101201": ("花园村", 2018),   # 万源市 青花镇
    "220422101201": ("大榆村", 2019),   # 东辽县 渭津镇
    "500114125201": ("水市村", 2017),   # 黔江区 水市镇
    "610902130201": ("金龙村", 2019),   # 汉滨区 晏坝镇
    "513434104201": ("瓦曲村", 2020),   # 越西县 普雄镇
    "513434101201": ("新桥村", 2020),   # 越西县 中所镇
}

#: The village whose disclosure ``make run`` points to.
SHOWCASE_VILLAGE = "220422101201"

#: Organization number → (contact person, phone): landlines with the region's area code (达州 0818, 辽源 0437,
#: 重庆 黔江 023, 安康 0915, 凉山 0834) or mobile numbers. Synthetic.
CONTACTS = {
    1: ("李茂才", "0818-8623417"), 2: ("陈建华", "0818-2128806"), 3: ("孙德胜", "13904373512"),
    4: ("王立新", "0437-5186230"), 5: ("冉启明", "023-79223418"), 6: ("胡永平", "0915-3562107"),
    7: ("吉克曲布", "0834-7612245"), 8: ("刘光荣", "15181843207"), 9: ("向家兴", "13896845120"),
    10: ("汪兴旺", "0915-3571324"), 11: ("沙马木呷", "18783446015"), 12: ("马正清", "0834-7634518"),
    13: ("赵文静", "0818-2378541"), 14: ("黄志刚", "0818-2695032"), 15: ("张秀梅", "0818-2123367"),
}

#: (key, number, kind, name, region code, manager email, manager name)
SUPPLIERS = [
    ("tea", 1, "cooperative", "万源市富硒茶专业合作社", "511781", "tea@demo.cn", "茶社经理"),
    ("mushroom", 3, "collective", "东辽县渭津镇大榆村股份经济合作社", "220422101201", "dayu@demo.cn", "大榆村社长"),
    ("woodear", 4, "enterprise", "辽源市渭津黑木耳食品有限公司", "220422", "woodear@demo.cn", "木耳公司经理"),
    ("konjac", 5, "enterprise", "重庆市黔江区水市魔芋开发有限公司", "500114", "konjac@demo.cn", "魔芋公司经理"),
    ("jinlong", 6, "cooperative", "安康市汉滨区金龙村股份合作社", "610902", "jinlong@demo.cn", "金龙村社长"),
    ("yuexi", 7, "cooperative", "越西县花椒苹果专业合作社", "513434", "yuexi@demo.cn", "越西合作社经理"),
]

#: Village collectives that only receive collective income: (number, name, village code).
COLLECTIVES = [
    (8, "万源市旧院镇石坪村股份经济合作社", "511781102201"),
    (9, "黔江区水市镇水市村股份经济合作联合社", "500114125201"),
    (10, "汉滨区晏坝镇金龙村股份经济合作社", "610902130201"),
    (11, "越西县普雄镇瓦曲村股份经济合作社", "513434104201"),
    (12, "越西县中所镇新桥村股份经济合作社", "513434101201"),
]

#: (key, number, kind, name, region, approval threshold fen, target fen this year, users)
BUYERS = [
    ("canteen", 2, "canteen", "达州市机关食堂", "511702", 5_000_000, 60_000_000,
     [("canteen@demo.cn", "buyer_approver", "食堂采购主管"),
      ("canteen-buyer@demo.cn", "buyer_purchaser", "食堂采购员")]),
    ("school", 13, "school", "达州市第一中学", "511702", 3_000_000, 30_000_000,
     [("school@demo.cn", "buyer_approver", "学校后勤主任")]),
    ("hospital", 14, "hospital", "达州市中心医院", "511702", None, 40_000_000,
     [("hospital@demo.cn", "buyer_approver", "医院采购科长")]),
    ("union", 15, "union", "达州市总工会", "511702", None, 20_000_000,
     [("union@demo.cn", "buyer_approver", "工会福利部长")]),
]

#: village code → [(head name, members, status, lifted year, baseline yuan per capita)]
#: Statuses of the monitoring system after 2020: lifted 脱贫户; monitored 脱贫不稳定户 (unstable lifted),
#: edge 边缘易致贫户 (marginal), sudden_hardship 突发严重困难户. Baselines are BASELINE_YEAR figures.
HOUSEHOLDS = {
    "511781102201": [("陈德明", 4, "lifted", 2019, 3900), ("刘秀英", 3, "lifted", 2019, 4300),
                     ("张国强", 5, "monitored", 2019, 3600), ("王桂兰", 2, "edge", None, 4700),
                     ("杨永福", 4, "lifted", 2018, 5200)],
    "511781101201": [("何春生", 3, "lifted", 2018, 4100), ("罗玉珍", 2, "sudden_hardship", None, 3300)],
    "220422101201": [("赵长海", 4, "lifted", 2019, 4000), ("孙淑华", 3, "lifted", 2019, 4400),
                     ("李振东", 5, "monitored", 2019, 3500), ("周凤琴", 2, "edge", None, 4800),
                     ("吴宝山", 3, "lifted", 2018, 4600), ("郑玉兰", 1, "monitored", 2019, 3200)],
    "500114125201": [("田茂林", 4, "lifted", 2017, 4200), ("冉光秀", 3, "lifted", 2017, 3800),
                     ("向明富", 5, "monitored", 2017, 3700), ("杨昌英", 2, "lifted", 2017, 4900)],
    "610902130201": [("胡庆华", 4, "lifted", 2019, 4100), ("邓秀兰", 3, "lifted", 2019, 3900),
                     ("汪正国", 5, "edge", None, 4500), ("余桂芳", 2, "monitored", 2019, 3400)],
    "513434104201": [("吉克阿依", 5, "lifted", 2020, 3600), ("阿苦日者", 6, "monitored", 2020, 3100),
                     ("沙马拉则", 4, "lifted", 2020, 4000)],
    "513434101201": [("马文学", 4, "lifted", 2020, 4300), ("曲比石且", 5, "edge", None, 3800)],
}

#: supplier key → [(village code, household index, shares)] (入股 members)
MEMBERS = {
    "jinlong": [("610902130201", 0, 20), ("610902130201", 1, 15), ("610902130201", 2, 10), ("610902130201", 3, 5)],
    "mushroom": [("220422101201", i, 10) for i in range(6)],
    "yuexi": [("513434104201", 0, 8), ("513434104201", 1, 8), ("513434101201", 0, 4)],
}

#: (key, supplier key, name, category, origin, description, shelf life days, storage,
#:  [(sku name, unit, price fen, stock, min qty)], scheme bp (supply, shares, collective, supplier),
#:  [(village, household index, quantity, unit, paid fen, days ago)] supply records,
#:  English title of its evidence PDF (generated by the demo, served by the app))
PRODUCTS = [
    ("tea", "tea", "万源富硒绿茶（明前）", "tea", "511781102201",
     "大巴山海拔1200米富硒茶园，明前采摘，合作社统一收购农户鲜叶加工。", 540, "密封、避光、冷藏",
     [("250克礼盒", "盒", 12_800, 4_000, 10), ("500克袋装", "袋", 19_800, 3_000, 5)],
     (6000, 0, 1000, 3000),
     [("511781102201", 0, 320, "斤鲜叶", 640_000, 200), ("511781102201", 1, 210, "斤鲜叶", 420_000, 198),
      ("511781102201", 2, 150, "斤鲜叶", 300_000, 195), ("511781102201", 4, 280, "斤鲜叶", 560_000, 190),
      ("511781101201", 0, 90, "斤鲜叶", 180_000, 185)], "Wanyuan selenium-rich green tea (before Qingming)"),
    ("tea_black", "tea", "万源富硒红茶", "tea", "511781101201",
     "夏秋茶精制的富硒红茶，带动青花镇茶农增收。", 720, "常温、干燥",
     [("200克罐装", "罐", 9_800, 3_000, 10)], (5000, 0, 1000, 4000),
     [("511781101201", 0, 160, "斤鲜叶", 240_000, 120), ("511781101201", 1, 80, "斤鲜叶", 120_000, 118)],
     "Wanyuan selenium-rich black tea"),
    ("mushroom", "mushroom", "大榆村大球盖菇（鲜品）", "fungi", "220422101201",
     "渭津镇大榆村集体大棚种植的大球盖菇，村集体经营、社员入股分红。", 7, "0-4℃冷链",
     [("5公斤箱", "箱", 15_000, 2_000, 2)], (3000, 3000, 2000, 2000),
     [("220422101201", 0, 600, "公斤", 360_000, 60), ("220422101201", 2, 450, "公斤", 270_000, 58),
      ("220422101201", 4, 300, "公斤", 180_000, 55)], "Dayu village wine-cap mushrooms (fresh)"),
    ("woodear", "woodear", "东辽黑木耳（秋耳）", "fungi", "220422101201",
     "渭津镇林下黑木耳，公司保底收购农户木耳。", 720, "常温、干燥",
     [("500克袋装", "袋", 6_800, 5_000, 10), ("2.5公斤箱", "箱", 30_000, 1_000, 2)], (5000, 0, 1000, 4000),
     [("220422101201", 1, 120, "公斤", 480_000, 90), ("220422101201", 3, 80, "公斤", 320_000, 85),
      ("220422101201", 5, 40, "公斤", 160_000, 80)], "Dongliao black wood-ear (autumn harvest)"),
    ("konjac", "konjac", "黔江水市魔芋豆腐", "konjac", "500114125201",
     "“公司+村集体+基地+农户”：公司在水市村建魔芋基地，村集体入股，农户种植、公司保底收购。", 180, "冷藏",
     [("1公斤装", "袋", 2_600, 8_000, 20)], (5000, 0, 2000, 3000),
     [("500114125201", 0, 2_000, "公斤魔芋", 600_000, 150), ("500114125201", 1, 1_500, "公斤魔芋", 450_000, 140),
      ("500114125201", 2, 2_400, "公斤魔芋", 720_000, 130), ("500114125201", 3, 800, "公斤魔芋", 240_000, 120)],
     "Qianjiang Shuishi konjac tofu"),
    ("honey", "jinlong", "晏坝金龙村土蜂蜜", "honey", "610902130201",
     "金龙村股份合作社统一养殖的中华蜂土蜂蜜，按股分红。", 730, "常温、避光",
     [("500克瓶装", "瓶", 8_800, 2_000, 6)], (0, 6000, 1000, 3000), [],
     "Jinlong village Chinese honeybee honey"),
    ("pepper", "yuexi", "越西大红袍花椒", "spice", "513434104201",
     "越西高山大红袍花椒，合作社收购彝族农户花椒统一分级包装。", 540, "密封、干燥",
     [("250克袋装", "袋", 4_500, 4_000, 10)], (5000, 2000, 1000, 2000),
     [("513434104201", 0, 60, "公斤", 360_000, 100), ("513434104201", 1, 45, "公斤", 270_000, 96),
      ("513434104201", 2, 30, "公斤", 180_000, 92)], "Yuexi red Sichuan pepper (Dahongpao)"),
    ("apple", "yuexi", "越西高原苹果", "fruit", "513434101201",
     "中所镇高原苹果，昼夜温差大、糖度高。", 60, "冷藏",
     [("10斤箱", "箱", 8_000, 3_000, 5)], (5000, 2000, 1000, 2000),
     [("513434101201", 0, 3_000, "斤", 450_000, 70), ("513434101201", 1, 2_000, "斤", 300_000, 65)],
     "Yuexi highland apples"),
]

#: Months a product sells in (fresh or seasonal produce); products not listed keep and sell all year
#: (black tea, konjac tofu, honey). Spring tea is picked before Qingming; wood-ear is the autumn crop.
SEASONS = {"tea": (3, 4, 5), "mushroom": (5, 6, 7, 8, 9, 10), "woodear": (8, 9, 10), "pepper": (8, 9, 10),
           "apple": (9, 10, 11, 12)}

#: (key, buyer user email, [(product key, sku index, quantity)], outcome, month)
#: outcome: accepted (paid, delivered, accepted) | refund (accepted, then one line partly refunded by
#: its supplier) | shipped (paid, on the road) | unpaid (placed, waiting for the transfer)
#: month: paid on a day of that month within the last twelve months (in its products' seasons);
#: None: this week's orders.
ORDERS = [
    ("school-02", "school@demo.cn", [("tea", 0, 30), ("honey", 0, 24)], "accepted", 3),
    ("canteen-01", "canteen@demo.cn", [("tea", 0, 60), ("konjac", 0, 200)], "accepted", 4),
    ("union-01", "union@demo.cn", [("tea", 1, 80), ("honey", 0, 120), ("tea_black", 0, 60)], "accepted", 5),
    ("canteen-04", "canteen-buyer@demo.cn", [("mushroom", 0, 40), ("honey", 0, 30)], "accepted", 6),
    ("hospital-01", "hospital@demo.cn", [("mushroom", 0, 30), ("woodear", 1, 10)], "accepted", 8),
    ("canteen-02", "canteen-buyer@demo.cn", [("woodear", 0, 120), ("mushroom", 0, 20)], "accepted", 9),
    ("canteen-03", "canteen@demo.cn", [("pepper", 0, 100), ("apple", 0, 60)], "refund", 10),
    ("union-02", "union@demo.cn", [("pepper", 0, 80), ("woodear", 0, 100)], "accepted", 10),
    ("school-01", "school@demo.cn", [("konjac", 0, 1200), ("apple", 0, 40)], "accepted", 11),
    ("hospital-02", "hospital@demo.cn", [("konjac", 0, 400), ("tea_black", 0, 20)], "accepted", 12),
    ("school-03", "school@demo.cn", [("apple", 0, 50)], "shipped", None),
    ("union-03", "union@demo.cn", [("honey", 0, 20)], "unpaid", None),
]

#: The refund of the ``refund`` order: its supplier refunds this many units of this product's line.
REFUND = ("apple", 10, "苹果运输途中部分损坏，按验收记录退款")

#: Baseline incomes and the 4200/4500/5000 yuan lines are the 越西 case's figures of this year.
BASELINE_YEAR = 2020

#: What the demo rests on, one line each: (subject, year or period, source).
SOURCES = [
    ("regions", "as bundled", "national division codes, provinces to townships: data/regions (see its LICENSE)"),
    ("formerly poor counties", "2014 list, lifted 2017-2020",
     "the 832 counties; the demo's five in data/regions/poverty_counties.csv"),
    ("cases", "2017-2020", "万源 tea, 东辽 大榆村 mushrooms and wood-ear, 黔江 水市 konjac, 汉滨 金龙村 honey, "
                           "越西 pepper and apples: real places; people, prices and quantities made up"),
    ("household incomes", str(BASELINE_YEAR), "baselines and the 4200/4500/5000 yuan lines: the 越西 case's figures"),
    ("people and codes", "synthetic", "names, ID numbers, credit codes (GB 32100 prefixes) and phone numbers"),
]
