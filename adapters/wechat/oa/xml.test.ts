import { describe, expect, it } from 'vitest';
import { buildFlatXml, parseFlatXml, XmlShapeError } from './xml.ts';

describe('parseFlatXml', () => {
  it('reads CDATA, plain text, entities and nested groups', () => {
    const xml = `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><CreateTime>1700000000</CreateTime>
      <Content>a &lt;b&gt; &amp; c</Content><ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType></ScanCodeInfo><Empty/></xml>`;
    expect(parseFlatXml(xml)).toEqual({
      ToUserName: 'gh_1',
      CreateTime: '1700000000',
      Content: 'a <b> & c',
      'ScanCodeInfo.ScanType': 'qrcode',
      Empty: '',
    });
  });

  it('keeps user text that looks like markup inside CDATA', () => {
    const text = 'hi </Content><MsgType>event</MsgType> ]]> end';
    expect(parseFlatXml(buildFlatXml({ Content: text, MsgType: 'text' }))).toEqual({
      Content: text,
      MsgType: 'text',
    });
  });

  it.each([
    ['not xml', 'hello'],
    ['unterminated', '<xml><A>1</xml>'],
    ['trailing junk', '<xml><A>1</A></xml><evil/>'],
    ['attributes', '<xml><A x="1">1</A></xml>'],
  ])('refuses %s', (_name, text) => {
    expect(() => parseFlatXml(text)).toThrow(XmlShapeError);
  });
});
