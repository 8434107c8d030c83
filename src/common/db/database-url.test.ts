import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dialectOfUrl, maskPassword, redactPassword, withoutDriverSuffix } from './database-url.js';
import { sqlitePath } from './dialects/sqlite/sqlite-dialect.js';

describe('database URLs', () => {
  test('the scheme picks the engine, oslo.db driver suffixes included', () => {
    assert.equal(dialectOfUrl('sqlite:///var/lib/nimbus/nimbus.sqlite'), 'sqlite');
    assert.equal(dialectOfUrl('postgresql://u@h/db'), 'postgres');
    assert.equal(dialectOfUrl('postgres://u@h/db'), 'postgres');
    assert.equal(dialectOfUrl('postgresql+psycopg2://u@h/db'), 'postgres');
    assert.equal(dialectOfUrl('mysql://u@h/db'), 'mariadb');
    assert.equal(dialectOfUrl('mariadb://u@h/db'), 'mariadb');
    assert.equal(dialectOfUrl('mysql+pymysql://u@h/db'), 'mariadb');
    assert.equal(dialectOfUrl('oracle://u@h/db'), undefined);
    assert.equal(dialectOfUrl('/just/a/path'), undefined);
    assert.equal(withoutDriverSuffix('mysql+pymysql://u:p@h/db'), 'mysql://u:p@h/db');
  });

  test('passwords are masked, even with unencoded @ or /', () => {
    assert.equal(maskPassword('postgresql://nova:s3cret@db:5432/nova'), 'postgresql://nova:***@db:5432/nova');
    assert.equal(maskPassword('mysql://nova:p@ss/w@db/nova?charset=utf8'), 'mysql://nova:***@db/nova?charset=utf8');
    assert.equal(maskPassword('mysql://root@db/nova'), 'mysql://root@db/nova');
    assert.equal(maskPassword('sqlite:///tmp/a:b@c.sqlite'), 'sqlite:///tmp/a:b@c.sqlite');
    assert.equal(redactPassword('login s3cret%21 failed for s3cret!', 'postgresql://u:s3cret%21@h/db'), 'login *** failed for ***');
  });

  test('sqlite URLs name absolute paths, or memory', () => {
    assert.equal(sqlitePath('sqlite:///var/lib/nimbus/nimbus.sqlite'), '/var/lib/nimbus/nimbus.sqlite');
    assert.equal(sqlitePath('sqlite:////var/lib/nimbus/nimbus.sqlite'), '/var/lib/nimbus/nimbus.sqlite');
    assert.equal(sqlitePath('sqlite:///tmp/with%20space.sqlite'), '/tmp/with space.sqlite');
    assert.equal(sqlitePath('sqlite://'), ':memory:');
    assert.equal(sqlitePath('sqlite://:memory:'), ':memory:');
  });
});
