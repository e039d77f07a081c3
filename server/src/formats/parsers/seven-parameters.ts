/**
 * Plausible bounds on seven datum-shift parameters (dx, dy, dz in metres; rx, ry, rz in
 * arc-seconds; ds in ppm), shared by the bureau's DATUM_TRANSFORMS (server config) and the
 * parameters a file gives itself (a 界址点 转换参数= line, a WKT TOWGS84 / BOUNDCRS): shifts from
 * Beijing 1954 or Xi'an 1980 to CGCS2000 are a few hundred metres, rotations a few arc-seconds,
 * scales a few ppm (domain.md, "Local datums").
 *
 * @example sevenParametersProblem([1e6, 0, 0, 0, 0, 0, 0]) // { zh: 'ΔX = 1000000 米超出 …', en: 'dx = 1000000 m exceeds …' }
 */
export const SEVEN_PARAMETER_BOUNDS = { shift: 1000, rotation: 60, scale: 100 } as const;

const NAMES = [
  { zh: 'ΔX', en: 'dx', unitZh: '米', unitEn: 'm' },
  { zh: 'ΔY', en: 'dy', unitZh: '米', unitEn: 'm' },
  { zh: 'ΔZ', en: 'dz', unitZh: '米', unitEn: 'm' },
  { zh: 'X 旋转', en: 'rx', unitZh: '秒', unitEn: '″' },
  { zh: 'Y 旋转', en: 'ry', unitZh: '秒', unitEn: '″' },
  { zh: 'Z 旋转', en: 'rz', unitZh: '秒', unitEn: '″' },
  { zh: '尺度', en: 'scale', unitZh: 'ppm', unitEn: 'ppm' },
] as const;

/**
 * What is wrong with seven parameters, in Chinese and English, or undefined when they are within
 * the bounds (shifts ≤ 1000 m, rotations ≤ 60″, scale ≤ 100 ppm). A scale between 0.99 and 1.01
 * is a factor written where ppm belong (1.0000011 for 1.1 ppm): refused with that explanation.
 */
export function sevenParametersProblem(values: readonly number[]): { zh: string; en: string } | undefined {
  const { shift, rotation, scale } = SEVEN_PARAMETER_BOUNDS;
  if (values.length !== 7 || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    return { zh: '须为 7 个有限的数', en: 'must be 7 finite numbers' };
  }
  const ds = values[6]!;
  if (ds >= 0.99 && ds <= 1.01 && ds !== 1) {
    const ppm = Number(((ds - 1) * 1e6).toPrecision(9));
    return {
      zh: `尺度 ${ds} 像是比例因子（1 + 尺度），而尺度参数的单位是 ppm（百万分之一）：若为比例因子，应写作 ${ppm}`,
      en: `the scale ${ds} looks like a factor (1 + scale), but the scale is in ppm (parts per million): as a factor it should be written ${ppm}`,
    };
  }
  for (let i = 0; i < 7; i++) {
    const v = values[i]!;
    const bound = i < 3 ? shift : i < 6 ? rotation : scale;
    if (Math.abs(v) > bound) {
      const n = NAMES[i]!;
      return {
        zh: `${n.zh} = ${v} ${n.unitZh}超出合理范围（绝对值 ≤ ${bound} ${n.unitZh}；平移 ≤ ${shift} 米、旋转 ≤ ${rotation} 秒、尺度 ≤ ${scale} ppm）`,
        en: `${n.en} = ${v} ${n.unitEn} is out of range (|${n.en}| ≤ ${bound} ${n.unitEn}; shifts ≤ ${shift} m, rotations ≤ ${rotation}″, scale ≤ ${scale} ppm)`,
      };
    }
  }
  return undefined;
}
