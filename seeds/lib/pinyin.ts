/**
 * Pinyin of the characters the generator builds place names from (lib/admin-units.ts), for the
 * base map's English labels: 王集村 → "Wangji Village", as Chinese place names are romanised
 * (GB/T 16159: the name's syllables written together, the generic part translated).
 */
const SYLLABLES: Record<string, string> = {
  王: 'wang', 李: 'li', 张: 'zhang', 刘: 'liu', 陈: 'chen', 杨: 'yang', 赵: 'zhao', 孙: 'sun', 周: 'zhou', 吴: 'wu',
  郑: 'zheng', 朱: 'zhu', 马: 'ma', 胡: 'hu', 郭: 'guo', 何: 'he', 高: 'gao', 罗: 'luo', 梁: 'liang', 宋: 'song',
  韩: 'han', 冯: 'feng', 邢: 'xing', 杜: 'du', 范: 'fan', 袁: 'yuan', 曹: 'cao', 蔡: 'cai', 许: 'xu', 傅: 'fu',
  程: 'cheng', 魏: 'wei', 丁: 'ding', 董: 'dong', 侯: 'hou',
  集: 'ji', 店: 'dian', 庄: 'zhuang', 寨: 'zhai', 营: 'ying', 岗: 'gang', 桥: 'qiao', 楼: 'lou', 屯: 'tun', 坡: 'po',
  口: 'kou', 湾: 'wan', 堂: 'tang', 园: 'yuan', 铺: 'pu',
  东: 'dong', 西: 'xi', 南: 'nan', 北: 'bei', 前: 'qian', 后: 'hou', 大: 'da', 小: 'xiao',
  兴: 'xing', 隆: 'long', 永: 'yong', 安: "'an", 太: 'tai', 平: 'ping', 长: 'chang', 仁: 'ren', 和: 'he', 万: 'wan',
  富: 'fu', 民: 'min', 新: 'xin', 华: 'hua', 建: 'jian', 设: 'she', 胜: 'sheng', 利: 'li', 风: 'feng', 红: 'hong',
  旗: 'qi', 团: 'tuan', 结: 'jie', 幸: 'xing', 福: 'fu', 光: 'guang', 明: 'ming', 迎: 'ying', 宾: 'bin', 文: 'wen',
  化: 'hua', 关: 'guan', 城: 'cheng', 门: 'men', 汴: 'bian', 京: 'jing', 清: 'qing',
};

const GENERIC: [string, string][] = [
  ['社区', 'Community'],
  ['街道', 'Subdistrict'],
  ['村', 'Village'],
  ['镇', 'Town'],
  ['乡', 'Township'],
];

/** The proper name in pinyin, capitalised ("王集" → "Wangji"); null when a character is not in the table. */
export function pinyinOf(text: string): string | null {
  let out = '';
  for (const ch of text) {
    if (/[0-9]/.test(ch)) {
      out += ch;
      continue;
    }
    const s = SYLLABLES[ch];
    if (!s) return null;
    out += out === '' ? s.replace(/^'/, '') : s;
  }
  return out.charAt(0).toUpperCase() + out.slice(1);
}

/** A generated township's or village's name in English: "王集村" → "Wangji Village", "城关镇" → "Chengguan Town". */
export function placeNameEn(name: string): string | null {
  for (const [zh, en] of GENERIC) {
    if (name.endsWith(zh)) {
      const stem = pinyinOf(name.slice(0, -zh.length));
      return stem ? `${stem} ${en}` : null;
    }
  }
  return pinyinOf(name);
}
